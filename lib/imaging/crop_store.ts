/**
 * A crop store: a directory with `cells.csv` (one row per crop, see shards.ts) and the crop shards it points
 * into. The output of `segment`, of the crop-set source and of `normalize` all have this form.
 * {@link readCrops} loads the crops of a store (or a subset of its rows) into one `[N, S, S, 3]` array in
 * table order.
 * @module
 */
import { join } from "node:path";
import { type CellRow, readCellTable, readShard } from "./shards.ts";

/** The name of the cell table inside a crop store. */
export const CELL_TABLE = "cells.csv";

/** Crops loaded from a store. */
export interface CropCollection {
  /** The rows loaded, in table order (or the order of `indices`). */
  rows: CellRow[];
  /** Crop side S. */
  size: number;
  /** `uint16` (raw intensities) or `float32` (normalised to [−1, 1]). */
  dtype: "uint16" | "float32";
  /** `rows.length · S · S · 3` values, NHWC. */
  data: Uint16Array | Float32Array;
  /** The normalisation recorded in the shards' headers. */
  normalization: string;
}

/**
 * The name of a store's optional table of training-only cells: crops that train the GANs but are not
 * profiled (a crop set's `trainingDirs`). Same columns as the cell table; its shards live in the same store.
 */
export const TRAINING_TABLE = "training.csv";

/** Reads a store's cell table. */
export function readCropTable(dir: string): Promise<CellRow[]> {
  return readCellTable(join(dir, CELL_TABLE));
}

/** Reads every cell a GAN trains on: the cell table, then the training-only table when the store has one. */
export async function readTrainingTable(dir: string): Promise<CellRow[]> {
  const rows = await readCropTable(dir);
  const path = join(dir, TRAINING_TABLE);
  if (!await Deno.stat(path).then(() => true, () => false)) return rows;
  return [...rows, ...await readCellTable(path)];
}

/**
 * Loads crops from a store: all rows, or the rows at `indices` of the table (in that order). Every shard is
 * read once. All shards must agree on crop size and dtype.
 *
 * @throws Error naming the shard when a row points past its shard's end or shards disagree.
 */
export async function readCrops(
  dir: string,
  options: { rows?: CellRow[]; indices?: readonly number[] } = {},
): Promise<CropCollection> {
  const table = options.rows ?? await readCropTable(dir);
  const rows = options.indices ? options.indices.map((i) => table[i]) : table;
  const byShard = new Map<string, number[]>();
  rows.forEach((r, k) => {
    const list = byShard.get(r.shard);
    if (list) list.push(k);
    else byShard.set(r.shard, [k]);
  });
  let size = -1;
  let dtype: "uint16" | "float32" | undefined;
  let normalization = "";
  let data: Uint16Array | Float32Array | undefined;
  for (const [shardName, ks] of byShard) {
    const path = join(dir, shardName);
    const shard = await readShard(path);
    const [n, s] = shard.header.shape;
    if (data === undefined) {
      size = s;
      dtype = shard.header.dtype;
      normalization = shard.header.normalization;
      data = dtype === "uint16"
        ? new Uint16Array(rows.length * s * s * 3)
        : new Float32Array(rows.length * s * s * 3);
    } else if (s !== size || shard.header.dtype !== dtype) {
      throw new Error(
        `Cannot read crop shard '${path}': expected ${dtype} crops of ${size}×${size} like the others, found ${shard.header.dtype} ${s}×${s}`,
      );
    }
    const per = s * s * 3;
    for (const k of ks) {
      const index = rows[k].index;
      if (!Number.isInteger(index) || index < 0 || index >= n) {
        throw new Error(
          `Cannot read crop shard '${path}': cells.csv points at crop ${index}, the shard holds ${n}`,
        );
      }
      data.set(shard.data.subarray(index * per, (index + 1) * per), k * per);
    }
  }
  return {
    rows,
    size: Math.max(size, 0),
    dtype: dtype ?? "float32",
    data: data ?? new Float32Array(0),
    normalization,
  };
}
