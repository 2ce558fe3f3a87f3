/**
 * A dataset artifact: the output of a data source task (`synthesize`, `fetch_bbbc021`), read the same way
 * whatever made it. Its directory holds the two BBBC021 metadata CSVs, and either the images themselves
 * (`WeekN/<plate>/…`, synthetic data) or a `dataset.json` whose `imageRoot` names the folder that holds them
 * (downloaded data, kept outside the cache).
 * @module
 */
import { isAbsolute, join, resolve } from "node:path";
import { IMAGE_CSV, MOA_CSV } from "./bbbc021.ts";

/** The descriptor file of a dataset whose images live elsewhere. */
export const DATASET_JSON = "dataset.json";

/** What `dataset.json` holds. */
export interface DatasetDescriptor {
  /** Folder holding `WeekN/<plate>/` images (absolute, or relative to the dataset directory). */
  imageRoot: string;
  /** Where the data came from (a URL, or `synthetic`). */
  source: string;
  /** When only some plates were fetched: those plates (the image table still lists every plate). */
  plates?: string[];
}

/** Where a dataset's metadata and images are. */
export interface DatasetLocation {
  /** Folder holding BBBC021_v1_image.csv and BBBC021_v1_moa.csv. */
  metadataDir: string;
  /** Folder the `Image_PathName_*` columns are relative to. */
  imageRoot: string;
  /** The plates present, when the dataset holds only some of the image table's plates. */
  plates?: string[];
}

/**
 * Locates a dataset artifact's metadata and images.
 *
 * @throws Error naming the directory when a metadata CSV is missing or `dataset.json` is malformed.
 */
export async function openDataset(dir: string): Promise<DatasetLocation> {
  for (const f of [IMAGE_CSV, MOA_CSV]) {
    try {
      await Deno.stat(join(dir, f));
    } catch {
      throw new Error(`Cannot open dataset '${dir}': expected ${f}, found none`);
    }
  }
  let text: string;
  try {
    text = await Deno.readTextFile(join(dir, DATASET_JSON));
  } catch {
    return { metadataDir: dir, imageRoot: dir };
  }
  let d: Partial<DatasetDescriptor>;
  try {
    d = JSON.parse(text);
  } catch (e) {
    throw new Error(`Cannot read ${join(dir, DATASET_JSON)}: ${(e as Error).message}`);
  }
  if (typeof d.imageRoot !== "string" || d.imageRoot === "") {
    throw new Error(
      `Cannot read ${join(dir, DATASET_JSON)}: expected a string imageRoot, found ${
        JSON.stringify(d.imageRoot)
      }`,
    );
  }
  const imageRoot = isAbsolute(d.imageRoot) ? d.imageRoot : resolve(dir, d.imageRoot);
  return { metadataDir: dir, imageRoot, ...(d.plates?.length ? { plates: d.plates } : {}) };
}
