/**
 * Per-cell feature sets on disk: a directory with
 *
 * ```
 * features.json   {"kind", "seed"?, "names": [...], "n", "d", "dtype": "float32", "order": "row-major"}
 * features.f32    n·d little-endian float32, row-major (cell i's features at [i·d, (i+1)·d))
 * cells.csv       one row per cell, in the same order (the crop store's cell table)
 * ```
 * Written atomically (temporary names, then rename); read back with checks that name the file.
 *
 * A feature set may have a symmetric view in `sym8/` (the same cells, each cell's features averaged over the
 * 8 symmetries of the square): the `extract_*` tasks with `symmetries: 8`. Downstream tasks profile each view.
 * @module
 */
import { join } from "node:path";
import { type CellRow, formatCellTable, parseCellTable, writeFileAtomic } from "../imaging/shards.ts";

/** The folder of a feature set's symmetric view. */
export const SYMMETRIC_VIEW = "sym8";

/** A feature set in memory. */
export interface FeatureSet {
  /** What made it: `dcgan`, `wgan`, `lsgan`, `random`, `classical`, … */
  kind: string;
  /** The training seed of the model that made it, when one did. */
  seed?: number;
  /** Feature names, length d. */
  names: string[];
  /** n × d values, row-major. */
  data: Float32Array;
  /** The cells, length n. */
  rows: CellRow[];
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Writes a feature set into `dir`. @throws RangeError when the shapes disagree. */
export async function writeFeatureSet(dir: string, set: FeatureSet): Promise<void> {
  const n = set.rows.length, d = set.names.length;
  if (set.data.length !== n * d) {
    throw new RangeError(
      `writeFeatureSet: ${n} cells × ${d} features need ${n * d} values, got ${set.data.length}`,
    );
  }
  const bytes = new Uint8Array(n * d * 4);
  if (littleEndian) bytes.set(new Uint8Array(set.data.buffer, set.data.byteOffset, n * d * 4));
  else {
    const dv = new DataView(bytes.buffer);
    set.data.forEach((v, i) => dv.setFloat32(4 * i, v, true));
  }
  await writeFileAtomic(join(dir, "features.f32"), bytes);
  await writeFileAtomic(join(dir, "cells.csv"), formatCellTable(set.rows));
  await writeFileAtomic(
    join(dir, "features.json"),
    JSON.stringify(
      { kind: set.kind, seed: set.seed, names: set.names, n, d, dtype: "float32", order: "row-major" },
      null,
      1,
    ) + "\n",
  );
}

/** Reads a feature set written by {@link writeFeatureSet}. @throws Error naming the file on a mismatch. */
export async function readFeatureSet(dir: string): Promise<FeatureSet> {
  const metaPath = join(dir, "features.json");
  let meta: { kind: string; seed?: number; names: string[]; n: number; d: number };
  try {
    meta = JSON.parse(await Deno.readTextFile(metaPath));
  } catch (e) {
    throw new Error(`Cannot read feature set '${metaPath}': ${(e as Error).message}`);
  }
  const rows = parseCellTable(await Deno.readTextFile(join(dir, "cells.csv")), join(dir, "cells.csv"));
  const bytes = await Deno.readFile(join(dir, "features.f32"));
  if (rows.length !== meta.n || meta.names.length !== meta.d || bytes.length !== meta.n * meta.d * 4) {
    throw new Error(
      `Cannot read feature set '${dir}': features.json says ${meta.n} × ${meta.d}, found ${rows.length} cells, ` +
        `${meta.names.length} names and ${bytes.length / 4} values`,
    );
  }
  const data = new Float32Array(meta.n * meta.d);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < data.length; i++) data[i] = dv.getFloat32(4 * i, true);
  return {
    kind: meta.kind,
    ...(meta.seed !== undefined ? { seed: meta.seed } : {}),
    names: meta.names,
    data,
    rows,
  };
}
