/**
 * Reader for a crop set: a folder of single-cell crops (`.npy` uint8/uint16/float32
 * HWC with 3 channels, or 8-bit RGB `.png` as the authors' code wrote them) and an
 * index CSV with the columns `file, plate, well, compound, concentration, moa`
 * (extra columns are kept). A pipeline can start from a crop set instead of
 * fields, skipping segmentation.
 *
 * Crops are returned in the project's channel order DNA, tubulin, actin; the
 * `channelOrder` option says how the files store them.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import { decode as decodePng } from "fast-png";
import { parseCsv } from "./csv.ts";
import { parseNpy } from "./npy.ts";

/** Columns an index CSV must have. */
export const CROP_INDEX_COLUMNS = ["file", "plate", "well", "compound", "concentration", "moa"] as const;

/**
 * How a crop file orders its channels: a named order, or for each of our
 * channels (DNA, tubulin, actin) the index of the file channel that holds it.
 * `"dna-actin-tubulin"` is the order of the real crops in `../shared/data/bbbc021/crops`
 * as judged by eye (channel 1 looks like F-actin, channel 2 like B-tubulin).
 */
export type ChannelOrder = "dna-tubulin-actin" | "dna-actin-tubulin" | readonly [number, number, number];

/** The source channel index for DNA, tubulin, actin. */
export function channelSources(order: ChannelOrder): [number, number, number] {
  if (order === "dna-tubulin-actin") return [0, 1, 2];
  if (order === "dna-actin-tubulin") return [0, 2, 1];
  if (
    Array.isArray(order) && order.length === 3 && [...order].sort().join() === "0,1,2"
  ) return [order[0], order[1], order[2]];
  throw new Error(
    `Invalid channel order ${
      JSON.stringify(order)
    }: expected "dna-tubulin-actin", "dna-actin-tubulin" or a permutation of [0, 1, 2]`,
  );
}

/** One row of a crop index. */
export interface CropRecord {
  /** Path of the crop file relative to the crop-set folder. */
  file: string;
  /** Plate name. */
  plate: string;
  /** Well. */
  well: string;
  /** Compound. */
  compound: string;
  /** Concentration in µM. */
  concentration: number;
  /** Mechanism of action, or null when the column is empty. */
  moa: string | null;
  /** Any other columns of the index, by name (e.g. `site`, `source_image_dapi`). */
  extra: Record<string, string>;
}

/** A decoded crop, channels last (`data[(y * width + x) * 3 + c]`), c in DNA, tubulin, actin order. */
export interface CropImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Element type of the source file. */
  dtype: "uint8" | "uint16" | "float32";
  /** HWC pixel data with 3 channels. */
  data: Uint8Array | Uint16Array | Float32Array;
}

/** Options for {@linkcode readCropIndex}. */
export interface ReadCropIndexOptions {
  /** Index file name inside the folder (default `index.csv`). */
  index?: string;
  /** Check that every listed file exists (default true). */
  checkFiles?: boolean;
}

/**
 * Reads a crop set's index.
 *
 * @throws Error naming the index file for a missing column, an unparseable
 * concentration, an unsupported file type, or (with `checkFiles`) a missing crop file.
 */
export async function readCropIndex(dir: string, options: ReadCropIndexOptions = {}): Promise<CropRecord[]> {
  const indexPath = join(dir, options.index ?? "index.csv");
  let text: string;
  try {
    text = await Deno.readTextFile(indexPath);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot read crop set '${dir}': expected an index file '${indexPath}', found none`);
    }
    throw e;
  }
  const t = parseCsv(text, { file: indexPath, required: CROP_INDEX_COLUMNS });
  const known = new Set<string>(CROP_INDEX_COLUMNS);
  const check = options.checkFiles ?? true;
  return t.rows.map((r, i) => {
    const line = t.lines[i];
    const conc = r.concentration.trim() === "" ? NaN : Number(r.concentration);
    if (!Number.isFinite(conc) || conc < 0) {
      throw new Error(
        `Cannot read crop index '${indexPath}' line ${line}: expected a non-negative number as the concentration, found '${r.concentration}'`,
      );
    }
    if (!/\.(npy|png)$/i.test(r.file)) {
      throw new Error(
        `Cannot read crop index '${indexPath}' line ${line}: expected a .npy or .png file, found '${r.file}'`,
      );
    }
    if (check && !existsSync(join(dir, r.file))) {
      throw new Error(
        `Cannot read crop index '${indexPath}' line ${line}: expected the file '${
          join(dir, r.file)
        }', found none`,
      );
    }
    const extra: Record<string, string> = {};
    for (const h of t.header) if (!known.has(h)) extra[h] = r[h];
    return {
      file: r.file,
      plate: r.plate,
      well: r.well,
      compound: r.compound,
      concentration: conc,
      moa: r.moa.trim() === "" ? null : r.moa,
      extra,
    };
  });
}

/** Options for {@linkcode decodeCrop} and {@linkcode loadCrop}. */
export interface LoadCropOptions {
  /** How the file orders its channels (default `"dna-tubulin-actin"`). */
  channelOrder?: ChannelOrder;
}

/**
 * Decodes crop bytes (`.npy` HWC with 3 channels, or 8-bit RGB/RGBA `.png`) and
 * reorders channels to DNA, tubulin, actin.
 *
 * @throws Error naming the file for a wrong shape, channel count, or bit depth.
 */
export function decodeCrop(bytes: Uint8Array, file: string, options: LoadCropOptions = {}): CropImage {
  const src = channelSources(options.channelOrder ?? "dna-tubulin-actin");
  let width: number, height: number, channels: number;
  let data: Uint8Array | Uint16Array | Float32Array;
  let dtype: CropImage["dtype"];
  if (/\.npy$/i.test(file)) {
    const a = parseNpy(bytes, file);
    if (a.shape.length !== 3 || a.shape[2] !== 3) {
      throw new Error(
        `Cannot read crop '${file}': expected an HWC array with 3 channels, found shape (${
          a.shape.join(", ")
        })`,
      );
    }
    [height, width, channels] = a.shape;
    data = a.data;
    dtype = a.dtype;
  } else if (/\.png$/i.test(file)) {
    let png;
    try {
      png = decodePng(bytes);
    } catch (e) {
      throw new Error(`Cannot read crop '${file}': not a readable PNG (${(e as Error).message})`);
    }
    if (png.depth !== 8 || (png.channels !== 3 && png.channels !== 4)) {
      throw new Error(
        `Cannot read crop '${file}': expected an 8-bit RGB PNG, found ${png.depth}-bit with ${png.channels} channels`,
      );
    }
    width = png.width;
    height = png.height;
    channels = png.channels;
    data = png.data as Uint8Array;
    dtype = "uint8";
  } else {
    throw new Error(`Cannot read crop '${file}': expected a .npy or .png file`);
  }
  const n = width * height;
  const out = dtype === "uint8"
    ? new Uint8Array(n * 3)
    : dtype === "uint16"
    ? new Uint16Array(n * 3)
    : new Float32Array(n * 3);
  const [s0, s1, s2] = src;
  for (let i = 0, j = 0, k = 0; i < n; i++, j += 3, k += channels) {
    out[j] = data[k + s0];
    out[j + 1] = data[k + s1];
    out[j + 2] = data[k + s2];
  }
  return { width, height, dtype, data: out };
}

/** Reads one crop of a crop set (see {@linkcode decodeCrop}). */
export async function loadCrop(
  dir: string,
  record: CropRecord,
  options: LoadCropOptions = {},
): Promise<CropImage> {
  const path = join(dir, record.file);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot read crop '${path}': the file does not exist`);
    }
    throw e;
  }
  return decodeCrop(bytes, path, options);
}

/** A crop set read whole: records and their images, index-aligned. */
export interface CropSet {
  /** Index rows. */
  records: CropRecord[];
  /** Decoded crops, `images[i]` for `records[i]`. */
  images: CropImage[];
}

/** Options for {@linkcode readCropSet}. */
export interface ReadCropSetOptions extends ReadCropIndexOptions, LoadCropOptions {
  /** When given, every crop must have this size. */
  expectSize?: { width: number; height: number };
}

/**
 * Reads a crop set's index and every crop.
 *
 * @example
 * ```ts
 * const set = await readCropSet("../shared/data/bbbc021/crops", { channelOrder: "dna-actin-tubulin" });
 * set.images[0].data; // Uint16Array, 68×68×3, DNA, tubulin, actin
 * ```
 */
export async function readCropSet(dir: string, options: ReadCropSetOptions = {}): Promise<CropSet> {
  const records = await readCropIndex(dir, options);
  const images: CropImage[] = [];
  for (const r of records) {
    const img = await loadCrop(dir, r, options);
    const want = options.expectSize;
    if (want && (img.width !== want.width || img.height !== want.height)) {
      throw new Error(
        `Cannot read crop '${
          join(dir, r.file)
        }': expected ${want.width}×${want.height} pixels, found ${img.width}×${img.height}`,
      );
    }
    images.push(img);
  }
  return { records, images };
}
