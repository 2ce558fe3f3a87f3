/**
 * A crop-set folder (single-cell crops with an index CSV, lib/data/crops.ts) → a crop store (cells.csv +
 * uint16 shards, one per plate and well, channels DNA, tubulin, actin), like `segment`'s output. Crops have
 * no masks: the centre cell is segmented inside each crop to fill the table's nucleus and cell measurements;
 * `centroid_x/y` are the nucleus centroid in crop coordinates, as the field position is unknown. Used by the
 * `crop_set` task and by `deno task embed`.
 * @module
 */
import { join } from "node:path";
import { type ChannelOrder, loadCrop, readCropIndex } from "./crops.ts";
import { CELL_TABLE } from "../imaging/crop_store.ts";
import { type CellRow, formatCellTable, writeShard } from "../imaging/shards.ts";
import { cropMasks } from "../profiling/classical.ts";
import { moments, shapeFeatures } from "../profiling/shape.ts";

/** Options of {@link cropSetToStore}. */
export interface CropSetStoreOptions {
  /** Index file inside the folder (default `index.csv`). */
  index?: string;
  /** The files' channel order (default DNA, tubulin, actin). */
  channelOrder?: ChannelOrder;
  /** Batch of every crop when the index has no batch column (default: the plate's `WeekN_` prefix). */
  batch?: string;
  /** Folder of the shards inside the store (default `shards`). */
  shards?: string;
  /** The cell table to write (default `cells.csv`). */
  table?: string;
}

/** Progress, logging and cancellation of {@link cropSetToStore}. */
export interface CropSetHooks {
  progress?: { start(total: number, unit: string): void; tick(): void };
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/** What {@link cropSetToStore} wrote. */
export interface CropSetStore {
  /** The store's rows (grouped by plate and well). */
  rows: CellRow[];
  /** For each row, the index of its crop in the index CSV. */
  order: number[];
  /** Crop side. */
  size: number;
}

/**
 * Converts the crop-set folder `dir` into a crop store in `out`.
 *
 * @throws Error naming the file for an empty index, a non-square crop, a crop of another size than the
 *   first, or float crops.
 */
export async function cropSetToStore(
  dir: string,
  out: string,
  options: CropSetStoreOptions = {},
  hooks: CropSetHooks = {},
): Promise<CropSetStore> {
  const order: number[] = [];
  const records = await readCropIndex(dir, { index: options.index });
  if (records.length === 0) {
    throw new Error(`Crop set '${join(dir, options.index ?? "index.csv")}' lists no crops`);
  }
  hooks.log?.(`${records.length} crops in ${dir}`);
  hooks.progress?.start(records.length, "crops");
  // One shard per plate and well, in index order of first appearance.
  const groups = new Map<string, number[]>();
  records.forEach((r, i) => {
    const key = `${r.plate}/${r.well}`;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const rows: CellRow[] = [];
  let size = 0;
  for (const [key, indices] of groups) {
    hooks.signal?.throwIfAborted();
    const [plate, well] = key.split("/");
    const images = [];
    for (const i of indices) {
      const img = await loadCrop(dir, records[i], { channelOrder: options.channelOrder });
      if (img.width !== img.height) {
        throw new Error(
          `Cannot use crop '${
            join(dir, records[i].file)
          }': expected a square crop, found ${img.width}×${img.height}`,
        );
      }
      if (size === 0) size = img.width;
      if (img.width !== size) {
        throw new Error(
          `Cannot use crop '${
            join(dir, records[i].file)
          }': expected ${size}×${size} like the first crop, found ${img.width}×${img.height}`,
        );
      }
      if (img.dtype === "float32") {
        throw new Error(
          `Cannot use crop '${
            join(dir, records[i].file)
          }': expected raw uint8/uint16 intensities, found float32`,
        );
      }
      images.push(img);
    }
    const per = size * size * 3;
    const data = new Uint16Array(indices.length * per);
    images.forEach((img, k) => data.set(img.data, k * per));
    const shard = `${options.shards ?? "shards"}/${plate}/${well}.crops`;
    await writeShard(join(out, shard), {
      header: {
        dtype: "uint16",
        shape: [indices.length, size, size, 3],
        order: "NHWC",
        channels: ["DNA", "tubulin", "actin"],
        normalization: "none",
        plate,
        well,
        source: "crop_set",
      },
      data,
    });
    images.forEach((img, k) => {
      const r = records[indices[k]];
      const masks = cropMasks({ size, data: img.data });
      const nucleus = moments(masks.nucleus, size);
      const cellArea = moments(masks.cell, size).area;
      const shape = shapeFeatures(masks.nucleus, size);
      // Sites may be written "s1" (BBBC021 file names) or 1.
      const site = Number(/(\d+)\s*$/.exec(r.extra.site ?? "")?.[1] ?? 1);
      order.push(indices[k]);
      rows.push({
        plate,
        well,
        site: Number.isFinite(site) ? site : 1,
        compound: r.compound,
        concentration: r.concentration,
        moa: r.moa,
        batch: r.extra.batch || options.batch || /^(Week\d+)_/.exec(plate)?.[1] || plate,
        shard,
        index: k,
        centroidX: Number.isFinite(nucleus.cx) ? nucleus.cx : size / 2,
        centroidY: Number.isFinite(nucleus.cy) ? nucleus.cy : size / 2,
        nucleusArea: nucleus.area,
        cellArea,
        eccentricity: Number.isFinite(shape[3]) ? shape[3] : 0,
        solidity: Number.isFinite(shape[6]) ? shape[6] : 0,
      });
      hooks.progress?.tick();
    });
  }
  await Deno.mkdir(out, { recursive: true });
  await Deno.writeTextFile(join(out, options.table ?? CELL_TABLE), formatCellTable(rows));
  hooks.log?.(`${rows.length} crops of ${size}×${size} in ${groups.size} shards`);
  return { rows, order, size };
}
