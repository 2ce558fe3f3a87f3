/**
 * Grayscale TIFF reading (8- and 16-bit, any compression utif2 decodes) and
 * writing (8- or 16-bit, uncompressed or deflate). BBBC021 stores each channel of
 * a field as one 16-bit grayscale TIFF; the synthetic generator writes the same.
 *
 * @module
 */

import UTIF from "utif2";
import { zlibSync } from "fflate";

/** A single-channel image. Pixels are row-major, `data[y * width + x]`. */
export interface GrayImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Bits per sample of the source file (8 or 16). Values are never rescaled: 8-bit data stays in 0–255. */
  bitDepth: 8 | 16;
  /** Pixel values (always a Uint16Array, also for 8-bit files). */
  data: Uint16Array;
}

/** Options for {@linkcode decodeTiff}. */
export interface DecodeTiffOptions {
  /** The file name, used in error messages. */
  file?: string;
  /** When given, the width and height the image must have. */
  expectSize?: { width: number; height: number };
  /** When given, the bit depths accepted (default: 8 and 16). */
  expectBitDepth?: readonly (8 | 16)[];
}

// Compression codes utif2 decodes for grayscale data.
const SUPPORTED_COMPRESSION = new Set([1, 5, 8, 32773, 32946]);

/**
 * Decodes the first image of a grayscale TIFF.
 *
 * @throws Error naming the file when it is not a TIFF, is not single-channel,
 * has an unsupported bit depth or compression, or has an unexpected size.
 */
export function decodeTiff(bytes: Uint8Array, options: DecodeTiffOptions = {}): GrayImage {
  const file = options.file ?? "<tiff>";
  const magic = bytes.length >= 4 ? (bytes[0] << 8) | bytes[1] : 0;
  if (bytes.length < 8 || !((magic === 0x4949 && bytes[2] === 42) || (magic === 0x4d4d && bytes[3] === 42))) {
    throw new Error(
      `Cannot read TIFF '${file}': expected a TIFF header 'II*' or 'MM*', found ${describeStart(bytes)}`,
    );
  }
  // deno-lint-ignore no-explicit-any
  let ifd: any;
  try {
    const ifds = UTIF.decode(toArrayBuffer(bytes));
    if (ifds.length === 0) throw new Error("no image directory");
    ifd = ifds[0];
  } catch (e) {
    throw new Error(`Cannot read TIFF '${file}': the file is damaged (${(e as Error).message})`);
  }
  const width = ifd.t256?.[0];
  const height = ifd.t257?.[0];
  const bps = ifd.t258?.[0] ?? 1;
  const spp = ifd.t277?.[0] ?? 1;
  const cmpr = ifd.t259?.[0] ?? 1;
  const photometric = ifd.t262?.[0] ?? 1;
  const sampleFormat = ifd.t339?.[0] ?? 1;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(
      `Cannot read TIFF '${file}': expected a positive width and height, found ${width}×${height}`,
    );
  }
  if (spp !== 1) {
    throw new Error(
      `Cannot read TIFF '${file}': expected a single-channel (grayscale) image, found ${spp} samples per pixel`,
    );
  }
  const accepted = options.expectBitDepth ?? [8, 16];
  if (!accepted.includes(bps) || sampleFormat !== 1) {
    throw new Error(
      `Cannot read TIFF '${file}': expected ${
        accepted.join(" or ")
      }-bit unsigned integer pixels, found ${bps}-bit` +
        (sampleFormat !== 1 ? ` (sample format ${sampleFormat})` : ""),
    );
  }
  if (options.expectSize && (options.expectSize.width !== width || options.expectSize.height !== height)) {
    throw new Error(
      `Cannot read TIFF '${file}': expected ${options.expectSize.width}×${options.expectSize.height} pixels, found ${width}×${height}`,
    );
  }
  if (!SUPPORTED_COMPRESSION.has(cmpr)) {
    throw new Error(
      `Cannot read TIFF '${file}': compression ${cmpr} is not supported (expected none, LZW, deflate or PackBits)`,
    );
  }
  const n = width * height;
  try {
    UTIF.decodeImage(toArrayBuffer(bytes), ifd);
  } catch (e) {
    throw new Error(`Cannot read TIFF '${file}': the pixel data is damaged (${(e as Error).message})`);
  }
  const raw: Uint8Array | undefined = ifd.data;
  const need = n * (bps / 8);
  if (!raw || raw.length < need) {
    throw new Error(
      `Cannot read TIFF '${file}': expected ${need} bytes of pixel data, found ${raw?.length ?? 0}`,
    );
  }
  const data = new Uint16Array(n);
  if (bps === 8) {
    for (let i = 0; i < n; i++) data[i] = raw[i];
  } else {
    // utif2 leaves 16-bit samples little-endian whatever the file's byte order.
    for (let i = 0, j = 0; i < n; i++, j += 2) data[i] = raw[j] | (raw[j + 1] << 8);
  }
  if (photometric === 0) {
    const max = bps === 8 ? 255 : 65535;
    for (let i = 0; i < n; i++) data[i] = max - data[i];
  }
  return { width, height, bitDepth: bps as 8 | 16, data };
}

/** Reads and decodes a grayscale TIFF file; errors name the path (see {@linkcode decodeTiff}). */
export async function readTiff(
  path: string,
  options: Omit<DecodeTiffOptions, "file"> = {},
): Promise<GrayImage> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot read TIFF '${path}': the file does not exist`);
    }
    throw new Error(`Cannot read TIFF '${path}': ${(e as Error).message}`);
  }
  return decodeTiff(bytes, { ...options, file: path });
}

/** Options for {@linkcode encodeTiff}. */
export interface EncodeTiffOptions {
  /** Bits per sample to write (default 16). With 8, values above 255 are an error. */
  bitDepth?: 8 | 16;
  /** `"none"` (default, like BBBC021) or `"deflate"` (zlib, compression 8). */
  compression?: "none" | "deflate";
}

/**
 * Encodes a single-channel image as a little-endian baseline TIFF.
 *
 * @example
 * ```ts
 * const bytes = encodeTiff({ width: 2, height: 1, data: new Uint16Array([0, 4095]) });
 * decodeTiff(bytes).data; // Uint16Array [0, 4095]
 * ```
 */
export function encodeTiff(
  image: { width: number; height: number; data: ArrayLike<number> },
  options: EncodeTiffOptions = {},
): Uint8Array {
  const { width, height, data } = image;
  const bitDepth = options.bitDepth ?? 16;
  const n = width * height;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`encodeTiff: expected a positive integer width and height, got ${width}×${height}`);
  }
  if (data.length !== n) {
    throw new RangeError(`encodeTiff: expected ${n} pixels for ${width}×${height}, got ${data.length}`);
  }
  let pixels = new Uint8Array(n * (bitDepth / 8));
  if (bitDepth === 8) {
    for (let i = 0; i < n; i++) {
      const v = data[i];
      if (v > 255) throw new RangeError(`encodeTiff: value ${v} at pixel ${i} does not fit in 8 bits`);
      pixels[i] = v;
    }
  } else {
    for (let i = 0, j = 0; i < n; i++, j += 2) {
      const v = data[i];
      pixels[j] = v & 255;
      pixels[j + 1] = (v >>> 8) & 255;
    }
  }
  const deflate = options.compression === "deflate";
  if (deflate) pixels = zlibSync(pixels, { level: 1 });
  const entries: [number, number, number][] = [ // tag, type (3 SHORT, 4 LONG), value
    [256, 4, width],
    [257, 4, height],
    [258, 3, bitDepth],
    [259, 3, deflate ? 8 : 1],
    [262, 3, 1],
    [273, 4, 0], // strip offset, filled below
    [277, 3, 1],
    [278, 4, height],
    [279, 4, pixels.length],
    [284, 3, 1],
    [339, 3, 1],
  ];
  const ifdSize = 2 + entries.length * 12 + 4;
  const dataOffset = 8 + ifdSize;
  entries[5][2] = dataOffset;
  const out = new Uint8Array(dataOffset + pixels.length);
  const dv = new DataView(out.buffer);
  out[0] = 0x49;
  out[1] = 0x49;
  dv.setUint16(2, 42, true);
  dv.setUint32(4, 8, true);
  dv.setUint16(8, entries.length, true);
  let p = 10;
  for (const [tag, type, value] of entries) {
    dv.setUint16(p, tag, true);
    dv.setUint16(p + 2, type, true);
    dv.setUint32(p + 4, 1, true);
    if (type === 3) dv.setUint16(p + 8, value, true);
    else dv.setUint32(p + 8, value, true);
    p += 12;
  }
  dv.setUint32(p, 0, true);
  out.set(pixels, dataOffset);
  return out;
}

/** Encodes and writes a single-channel TIFF (see {@linkcode encodeTiff}). */
export async function writeTiff(
  path: string,
  image: { width: number; height: number; data: ArrayLike<number> },
  options: EncodeTiffOptions = {},
): Promise<void> {
  await Deno.writeFile(path, encodeTiff(image, options));
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength &&
    bytes.buffer instanceof ArrayBuffer
  ) {
    return bytes.buffer;
  }
  return bytes.slice().buffer as ArrayBuffer;
}

function describeStart(bytes: Uint8Array): string {
  if (bytes.length === 0) return "an empty file";
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
  return `bytes ${head}`;
}
