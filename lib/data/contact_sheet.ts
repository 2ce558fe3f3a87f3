/**
 * Contact sheets: a grid of fields or crops as one RGB PNG, DNA → red,
 * tubulin → green, actin → blue (the paper's colouring), each channel scaled
 * between fixed or percentile display limits, with optional row labels in a
 * small built-in bitmap font.
 *
 * @module
 */

import { encode as encodePng } from "fast-png";

/** One tile: a three-channel image (DNA, tubulin, actin planes, row-major). */
export interface SheetTile {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** DNA, tubulin, actin planes. */
  channels: readonly [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>];
}

/** Options for {@linkcode contactSheet}. */
export interface ContactSheetOptions {
  /** Tiles per row (default: as many as the longest row given). */
  columns?: number;
  /** Side of each square tile cell in the sheet; tiles are scaled to fit (default 192). */
  tileSize?: number;
  /** Gap between tiles in pixels (default 4). */
  gap?: number;
  /** Per-channel display range [low, high]; default: 0.5th and 99.8th percentiles over all tiles. */
  range?: readonly [[number, number], [number, number], [number, number]];
  /** Width of the label column on the left (default 0 without labels, else fitted). */
  labelWidth?: number;
}

/** An RGB image, 8 bits per channel, interleaved. */
export interface RgbImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** RGB bytes, `data[(y * width + x) * 3 + c]`. */
  data: Uint8Array;
}

/**
 * Lays out rows of tiles into one RGB image.
 *
 * @param rows tiles by row
 * @param labels optional label per row (upper-cased; letters, digits and ` -./()` are drawn)
 */
export function contactSheet(
  rows: readonly (readonly SheetTile[])[],
  labels: readonly string[] = [],
  options: ContactSheetOptions = {},
): RgbImage {
  const cols = options.columns ?? Math.max(1, ...rows.map((r) => r.length));
  const size = options.tileSize ?? 192;
  const gap = options.gap ?? 4;
  const maxLabel = Math.max(0, ...labels.map((l) => l.length));
  const labelW = options.labelWidth ?? (maxLabel > 0 ? Math.min(40, maxLabel) * 6 + 8 : 0);
  const range = options.range ?? autoRange(rows.flat());
  const W = labelW + cols * size + (cols + 1) * gap;
  const H = rows.length * size + (rows.length + 1) * gap;
  const out = new Uint8Array(W * H * 3).fill(24);
  rows.forEach((row, r) => {
    const oy = gap + r * (size + gap);
    row.slice(0, cols).forEach((tile, c) => {
      const ox = labelW + gap + c * (size + gap);
      const f = Math.max(tile.width, tile.height) / size;
      const tw = Math.floor(tile.width / f), th = Math.floor(tile.height / f);
      for (let y = 0; y < th; y++) {
        for (let x = 0; x < tw; x++) {
          // Box-filter the source pixels that map onto this sheet pixel.
          const sx0 = Math.floor(x * f), sx1 = Math.max(sx0 + 1, Math.floor((x + 1) * f));
          const sy0 = Math.floor(y * f), sy1 = Math.max(sy0 + 1, Math.floor((y + 1) * f));
          const o = ((oy + y) * W + ox + x) * 3;
          for (let ch = 0; ch < 3; ch++) {
            const plane = tile.channels[ch];
            let s = 0;
            for (let yy = sy0; yy < sy1; yy++) {
              for (let xx = sx0; xx < sx1; xx++) s += plane[yy * tile.width + xx];
            }
            const v = s / ((sx1 - sx0) * (sy1 - sy0));
            const [lo, hi] = range[ch];
            out[o + ch] = Math.max(0, Math.min(255, Math.round(((v - lo) / (hi - lo)) * 255)));
          }
        }
      }
    });
    if (labels[r]) drawText(out, W, 4, oy + 4, labels[r].toUpperCase().slice(0, 40), Math.floor(size / 12));
  });
  return { width: W, height: H, data: out };
}

/** Per-channel 0.5th and 99.8th percentiles over tiles (sampled), as display limits. */
export function autoRange(
  tiles: readonly SheetTile[],
): [[number, number], [number, number], [number, number]] {
  const res: [number, number][] = [];
  for (let ch = 0; ch < 3; ch++) {
    const vals: number[] = [];
    for (const t of tiles) {
      const p = t.channels[ch];
      const step = Math.max(1, Math.floor(p.length / 20000));
      for (let i = 0; i < p.length; i += step) vals.push(p[i]);
    }
    vals.sort((a, b) => a - b);
    const lo = vals[Math.floor(vals.length * 0.005)] ?? 0;
    const hi = vals[Math.floor(vals.length * 0.998)] ?? 1;
    res.push([lo, hi > lo ? hi : lo + 1]);
  }
  return res as [[number, number], [number, number], [number, number]];
}

/** Encodes an RGB image as PNG bytes. */
export function encodeRgbPng(img: RgbImage): Uint8Array {
  return encodePng({ width: img.width, height: img.height, data: img.data, channels: 3, depth: 8 });
}

/** Builds a contact sheet and writes it as a PNG file. */
export async function writeContactSheet(
  path: string,
  rows: readonly (readonly SheetTile[])[],
  labels: readonly string[] = [],
  options: ContactSheetOptions = {},
): Promise<RgbImage> {
  const img = contactSheet(rows, labels, options);
  await Deno.writeFile(path, encodeRgbPng(img));
  return img;
}

// A 5×7 bitmap font: each glyph is 7 rows of 5 bits (MSB left).
const FONT: Record<string, number[]> = {
  "A": [14, 17, 17, 31, 17, 17, 17],
  "B": [30, 17, 17, 30, 17, 17, 30],
  "C": [14, 17, 16, 16, 16, 17, 14],
  "D": [30, 17, 17, 17, 17, 17, 30],
  "E": [31, 16, 16, 30, 16, 16, 31],
  "F": [31, 16, 16, 30, 16, 16, 16],
  "G": [14, 17, 16, 23, 17, 17, 15],
  "H": [17, 17, 17, 31, 17, 17, 17],
  "I": [14, 4, 4, 4, 4, 4, 14],
  "J": [7, 2, 2, 2, 2, 18, 12],
  "K": [17, 18, 20, 24, 20, 18, 17],
  "L": [16, 16, 16, 16, 16, 16, 31],
  "M": [17, 27, 21, 21, 17, 17, 17],
  "N": [17, 17, 25, 21, 19, 17, 17],
  "O": [14, 17, 17, 17, 17, 17, 14],
  "P": [30, 17, 17, 30, 16, 16, 16],
  "Q": [14, 17, 17, 17, 21, 18, 13],
  "R": [30, 17, 17, 30, 20, 18, 17],
  "S": [15, 16, 16, 14, 1, 1, 30],
  "T": [31, 4, 4, 4, 4, 4, 4],
  "U": [17, 17, 17, 17, 17, 17, 14],
  "V": [17, 17, 17, 17, 17, 10, 4],
  "W": [17, 17, 17, 21, 21, 21, 10],
  "X": [17, 17, 10, 4, 10, 17, 17],
  "Y": [17, 17, 17, 10, 4, 4, 4],
  "Z": [31, 1, 2, 4, 8, 16, 31],
  "0": [14, 17, 19, 21, 25, 17, 14],
  "1": [4, 12, 4, 4, 4, 4, 14],
  "2": [14, 17, 1, 2, 4, 8, 31],
  "3": [31, 2, 4, 2, 1, 17, 14],
  "4": [2, 6, 10, 18, 31, 2, 2],
  "5": [31, 16, 30, 1, 1, 17, 14],
  "6": [6, 8, 16, 30, 17, 17, 14],
  "7": [31, 1, 2, 4, 8, 8, 8],
  "8": [14, 17, 17, 14, 17, 17, 14],
  "9": [14, 17, 17, 15, 1, 2, 12],
  "-": [0, 0, 0, 31, 0, 0, 0],
  ".": [0, 0, 0, 0, 0, 12, 12],
  "/": [1, 1, 2, 4, 8, 16, 16],
  "(": [2, 4, 8, 8, 8, 4, 2],
  ")": [8, 4, 2, 2, 2, 4, 8],
  " ": [0, 0, 0, 0, 0, 0, 0],
};

/** Draws text in white into an RGB buffer; lines wrap every 14 characters at spaces. */
function drawText(out: Uint8Array, W: number, x0: number, y0: number, text: string, scale: number) {
  const s = Math.max(1, Math.min(2, scale));
  const words = text.split(" ");
  const lines: string[] = [];
  for (const w of words) {
    if (lines.length > 0 && (lines.at(-1)! + " " + w).length <= 14) lines[lines.length - 1] += " " + w;
    else lines.push(w);
  }
  lines.forEach((line, li) => {
    for (let i = 0; i < line.length; i++) {
      const g = FONT[line[i]] ?? FONT[" "];
      for (let r = 0; r < 7; r++) {
        for (let b = 0; b < 5; b++) {
          if (!((g[r] >> (4 - b)) & 1)) continue;
          for (let dy = 0; dy < s; dy++) {
            for (let dx = 0; dx < s; dx++) {
              const x = x0 + (i * 6 + b) * s + dx, y = y0 + (li * 9 + r) * s + dy;
              const o = (y * W + x) * 3;
              if (o >= 0 && o + 2 < out.length && x < W) out[o] = out[o + 1] = out[o + 2] = 235;
            }
          }
        }
      }
    }
  });
}
