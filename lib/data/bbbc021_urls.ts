/**
 * The official BBBC021 download list: one zip archive per plate (each holds a
 * folder `<plate>/` of TIFFs, to be unpacked into `<root>/WeekN/` so that paths
 * match the `Image_PathName_*` columns, `WeekN/<plate>`) plus the metadata CSVs.
 * No network access here; hand the list to {@linkcode downloadFiles}.
 *
 * @module
 */

import { join } from "node:path";
import type { DownloadItem } from "./download.ts";
import { IMAGE_CSV, MOA_CSV } from "./bbbc021.ts";

/** Where the Broad Bioimage Benchmark Collection serves BBBC021. */
export const BBBC021_BASE_URL = "https://data.broadinstitute.org/bbbc/BBBC021/";

/** The 55 plates of BBBC021 (Week1–Week10), as in `Image_Metadata_Plate_DAPI`. */
export const BBBC021_PLATES: readonly string[] = [
  ...["22123", "22141", "22161", "22361", "22381", "22401"].map((p) => `Week1_${p}`),
  ...["24121", "24141", "24161", "24361", "24381", "24401"].map((p) => `Week2_${p}`),
  ...["25421", "25441", "25461", "25681", "25701", "25721"].map((p) => `Week3_${p}`),
  ...["27481", "27521", "27542", "27801", "27821", "27861"].map((p) => `Week4_${p}`),
  ...["28901", "28921", "28961", "29301", "29321", "29341"].map((p) => `Week5_${p}`),
  ...["31641", "31661", "31681", "32061", "32121", "32161"].map((p) => `Week6_${p}`),
  ...["34341", "34381", "34641", "34661", "34681"].map((p) => `Week7_${p}`),
  ...["38203", "38221", "38241", "38341", "38342"].map((p) => `Week8_${p}`),
  ...["39206", "39221", "39222", "39282", "39283", "39301"].map((p) => `Week9_${p}`),
  ...["40111", "40115", "40119"].map((p) => `Week10_${p}`),
];

/** Options for {@linkcode bbbc021DownloadList}. */
export interface Bbbc021DownloadListOptions {
  /** Base URL ending in `/` (default {@linkcode BBBC021_BASE_URL}; tests point it at a local server). */
  baseUrl?: string;
  /** Plates to fetch (default all 55). */
  plates?: readonly string[];
  /** Folder for the zip archives (default `<root>/archives`). */
  archiveDir?: string;
  /** Include the metadata CSVs (default true). */
  metadata?: boolean;
}

/**
 * Builds the download items for BBBC021 into `root`: `BBBC021_v1_image.csv` and
 * `BBBC021_v1_moa.csv` in `root`, and `BBBC021_v1_images_<plate>.zip` per plate in
 * the archive folder, unpacked into `root/WeekN/`.
 *
 * @throws Error for a plate name that is not `WeekN_<number>`.
 */
export function bbbc021DownloadList(root: string, options: Bbbc021DownloadListOptions = {}): DownloadItem[] {
  const base = options.baseUrl ?? BBBC021_BASE_URL;
  if (!base.endsWith("/")) throw new Error(`Invalid BBBC021 base URL '${base}': expected it to end with '/'`);
  const archives = options.archiveDir ?? join(root, "archives");
  const items: DownloadItem[] = [];
  if (options.metadata ?? true) {
    for (const f of [IMAGE_CSV, MOA_CSV]) items.push({ url: base + f, dest: join(root, f) });
  }
  for (const plate of options.plates ?? BBBC021_PLATES) {
    const week = /^(Week\d+)_\d+$/.exec(plate)?.[1];
    if (!week) throw new Error(`Invalid BBBC021 plate '${plate}': expected a name like 'Week1_22123'`);
    const name = `BBBC021_v1_images_${plate}.zip`;
    items.push({ url: base + name, dest: join(archives, name), unzipTo: join(root, week) });
  }
  return items;
}
