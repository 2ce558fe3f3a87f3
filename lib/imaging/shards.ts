/**
 * Crop shards and the per-cell table.
 *
 * A shard (`.crops`) holds the crops of one field:
 *
 * ```
 * offset 0   8 bytes   magic "MGCROPS1"
 * offset 8   uint32 LE header length H
 * offset 12  H bytes   UTF-8 JSON header: {"dtype": "uint16" | "float32", "shape": [N, S, S, 3],
 *                      "order": "NHWC", "channels": ["DNA", "tubulin", "actin"],
 *                      "normalization": "none" | "crop-max" | "plate-percentile", ...metadata}
 *            padding   zeros up to a multiple of 16 bytes
 * then       data      N·S·S·3 little-endian values, row-major NHWC
 * ```
 *
 * `uint16` shards hold raw (or illumination-corrected) intensities, `float32` shards normalised values in
 * [−1, 1]. The cell table (`cells.csv`) has one row per crop, pointing into its shard by `shard` (path
 * relative to the output directory) and `index`. Files are written atomically (temporary name, then
 * rename), so a reader never sees a half-written shard or table.
 *
 * @module
 */

import { writeFileAtomic } from "../data/atomic_write.ts";
import { formatCsv, parseCsv } from "../data/csv.ts";

export { writeFileAtomic };

/** The shard magic bytes. */
export const SHARD_MAGIC = "MGCROPS1";

/** A shard's JSON header. */
export interface ShardHeader {
  /** Element type of the data. */
  dtype: "uint16" | "float32";
  /** `[N, S, S, 3]`. */
  shape: [number, number, number, number];
  /** Always `"NHWC"`. */
  order: "NHWC";
  /** Always DNA, tubulin, actin. */
  channels: ["DNA", "tubulin", "actin"];
  /** How the values were normalised. */
  normalization: "none" | "crop-max" | "plate-percentile";
  /** Other metadata (plate, well, site, …). */
  [key: string]: unknown;
}

/** A decoded shard. */
export interface Shard {
  /** Header. */
  header: ShardHeader;
  /** Values, `Uint16Array` or `Float32Array` by `header.dtype`. */
  data: Uint16Array | Float32Array;
}

/** Encodes a shard; `data`'s type must match `header.dtype` and its length the shape. */
export function encodeShard(shard: Shard): Uint8Array {
  const { header, data } = shard;
  const [n, s1, s2, c] = header.shape;
  const expect = n * s1 * s2 * c;
  if (data.length !== expect) {
    throw new RangeError(`encodeShard: shape [${header.shape}] needs ${expect} values, got ${data.length}`);
  }
  if ((header.dtype === "uint16") !== (data instanceof Uint16Array)) {
    throw new TypeError(`encodeShard: dtype '${header.dtype}' does not match a ${data.constructor.name}`);
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((12 + json.length) / 16) * 16;
  const bytesPer = header.dtype === "uint16" ? 2 : 4;
  const out = new Uint8Array(start + data.length * bytesPer);
  out.set(new TextEncoder().encode(SHARD_MAGIC), 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, json.length, true);
  out.set(json, 12);
  if (header.dtype === "uint16") {
    for (let i = 0; i < data.length; i++) dv.setUint16(start + 2 * i, data[i], true);
  } else for (let i = 0; i < data.length; i++) dv.setFloat32(start + 4 * i, data[i], true);
  return out;
}

/** Decodes a shard. @throws Error naming `file` for a bad magic, header or size. */
export function decodeShard(bytes: Uint8Array, file = "<shard>"): Shard {
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (bytes.length < 12 || magic !== SHARD_MAGIC) {
    throw new Error(
      `Cannot read crop shard '${file}': expected the magic '${SHARD_MAGIC}', found '${
        magic.replace(/[^\x20-\x7e]/g, "?")
      }'`,
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = dv.getUint32(8, true);
  if (12 + hlen > bytes.length) {
    throw new Error(
      `Cannot read crop shard '${file}': header of ${hlen} bytes runs past the end (${bytes.length} bytes)`,
    );
  }
  let header: ShardHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + hlen)));
  } catch (e) {
    throw new Error(`Cannot read crop shard '${file}': the header is not JSON (${(e as Error).message})`);
  }
  const shape = header.shape;
  if (
    !Array.isArray(shape) || shape.length !== 4 || !shape.every((v) => Number.isInteger(v) && v >= 0) ||
    shape[3] !== 3 || (header.dtype !== "uint16" && header.dtype !== "float32")
  ) {
    throw new Error(
      `Cannot read crop shard '${file}': expected dtype uint16/float32 and shape [N, S, S, 3], found dtype ${header.dtype}, shape ${
        JSON.stringify(shape)
      }`,
    );
  }
  const start = Math.ceil((12 + hlen) / 16) * 16;
  const count = shape[0] * shape[1] * shape[2] * shape[3];
  const bytesPer = header.dtype === "uint16" ? 2 : 4;
  if (bytes.length !== start + count * bytesPer) {
    throw new Error(
      `Cannot read crop shard '${file}': expected ${
        start + count * bytesPer
      } bytes for shape [${shape}], found ${bytes.length}`,
    );
  }
  const data = header.dtype === "uint16" ? new Uint16Array(count) : new Float32Array(count);
  if (header.dtype === "uint16") {
    for (let i = 0; i < count; i++) {
      data[i] = dv.getUint16(start + 2 * i, true);
    }
  } else for (let i = 0; i < count; i++) data[i] = dv.getFloat32(start + 4 * i, true);
  return { header, data };
}

/** Encodes and writes a shard atomically. */
export async function writeShard(path: string, shard: Shard): Promise<void> {
  await writeFileAtomic(path, encodeShard(shard));
}

/** Reads a shard. @throws Error naming the path when missing or malformed. */
export async function readShard(path: string): Promise<Shard> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot read crop shard '${path}': the file does not exist`);
    }
    throw new Error(`Cannot read crop shard '${path}': ${(e as Error).message}`);
  }
  return decodeShard(bytes, path);
}

/** Columns of the cell table, in order. */
export const CELL_COLUMNS = [
  "plate",
  "well",
  "site",
  "compound",
  "concentration",
  "moa",
  "batch",
  "shard",
  "index",
  "centroid_x",
  "centroid_y",
  "nucleus_area",
  "cell_area",
  "eccentricity",
  "solidity",
] as const;

/** One row of the cell table. */
export interface CellRow {
  /** Plate. */
  plate: string;
  /** Well. */
  well: string;
  /** Site (1-based). */
  site: number;
  /** Compound. */
  compound: string;
  /** Concentration, µM. */
  concentration: number;
  /** MOA, or null when unannotated (an empty cell in the CSV). */
  moa: string | null;
  /** Batch (week). */
  batch: string;
  /** Shard path relative to the output directory. */
  shard: string;
  /** Index of the crop in its shard. */
  index: number;
  /** Nucleus centroid x in the field, pixels. */
  centroidX: number;
  /** Nucleus centroid y. */
  centroidY: number;
  /** Nucleus area, pixels. */
  nucleusArea: number;
  /** Cell area, pixels. */
  cellArea: number;
  /** Nucleus eccentricity. */
  eccentricity: number;
  /** Nucleus solidity. */
  solidity: number;
}

/** Formats rows as the cell table CSV. */
export function formatCellTable(rows: readonly CellRow[]): string {
  return formatCsv(
    CELL_COLUMNS,
    rows.map((r) => [
      r.plate,
      r.well,
      r.site,
      r.compound,
      r.concentration,
      r.moa,
      r.batch,
      r.shard,
      r.index,
      r.centroidX.toFixed(2),
      r.centroidY.toFixed(2),
      r.nucleusArea,
      r.cellArea,
      r.eccentricity.toFixed(4),
      r.solidity.toFixed(4),
    ]),
  );
}

/** Parses a cell table. @throws Error naming the file and line for a missing column or bad number. */
export function parseCellTable(text: string, file = "cells.csv"): CellRow[] {
  const t = parseCsv(text, { file, required: CELL_COLUMNS });
  return t.rows.map((r, k) => {
    const num = (col: string) => {
      const v = Number(r[col]);
      if (r[col] === "" || !Number.isFinite(v)) {
        throw new Error(
          `Cannot read '${file}' line ${t.lines[k]}: expected a number in column '${col}', found '${r[col]}'`,
        );
      }
      return v;
    };
    return {
      plate: r.plate,
      well: r.well,
      site: num("site"),
      compound: r.compound,
      concentration: num("concentration"),
      moa: r.moa === "" ? null : r.moa,
      batch: r.batch,
      shard: r.shard,
      index: num("index"),
      centroidX: num("centroid_x"),
      centroidY: num("centroid_y"),
      nucleusArea: num("nucleus_area"),
      cellArea: num("cell_area"),
      eccentricity: num("eccentricity"),
      solidity: num("solidity"),
    };
  });
}

/** Reads a cell table file. */
export async function readCellTable(path: string): Promise<CellRow[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot read cell table '${path}': the file does not exist`);
    }
    throw e;
  }
  return parseCellTable(text, path);
}
