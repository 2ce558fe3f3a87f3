/**
 * Image grids drawn directly from crop tensors: `[N, S, S, 3]` NHWC values in [−1, 1] (as the GANs see them)
 * laid out row-major in a grid with a gap, channel c → colour c (DNA → red, tubulin → green, actin → blue, as
 * in the paper), each tile optionally scaled up by an integer factor (nearest neighbour) so small crops stay
 * visible.
 * @module
 */
import { encodeRgbPng, type RgbImage } from "../data/contact_sheet.ts";

/** Options of {@link imageGrid}. */
export interface ImageGridOptions {
  /** Tiles per row (default: ⌈√N⌉). */
  columns?: number;
  /** Integer upscale of each tile (default 1). */
  scale?: number;
  /** Gap between tiles in pixels (default 2). */
  gap?: number;
  /** Gap colour, one byte (default 24: near black, so tiles stand apart on a dark figure). */
  background?: number;
}

/**
 * Lays out `n` crops of `size × size × 3` (values in [−1, 1], NHWC) in a grid.
 *
 * @throws RangeError when `data` does not hold `n · size · size · 3` values.
 */
export function imageGrid(
  data: Float32Array,
  n: number,
  size: number,
  options: ImageGridOptions = {},
): RgbImage {
  if (data.length !== n * size * size * 3) {
    throw new RangeError(
      `imageGrid: expected ${n}×${size}×${size}×3 = ${n * size * size * 3} values, got ${data.length}`,
    );
  }
  const columns = Math.max(1, options.columns ?? Math.ceil(Math.sqrt(n)));
  const rows = Math.max(1, Math.ceil(n / columns));
  const scale = Math.max(1, Math.floor(options.scale ?? 1));
  const gap = options.gap ?? 2;
  const tile = size * scale;
  const width = columns * tile + (columns + 1) * gap;
  const height = rows * tile + (rows + 1) * gap;
  const out = new Uint8Array(width * height * 3).fill(options.background ?? 24);
  for (let k = 0; k < n; k++) {
    const x0 = gap + (k % columns) * (tile + gap);
    const y0 = gap + Math.floor(k / columns) * (tile + gap);
    const base = k * size * size * 3;
    for (let y = 0; y < tile; y++) {
      const sy = Math.floor(y / scale);
      for (let x = 0; x < tile; x++) {
        const src = base + (sy * size + Math.floor(x / scale)) * 3;
        const dst = ((y0 + y) * width + x0 + x) * 3;
        for (let c = 0; c < 3; c++) {
          const v = (data[src + c] + 1) * 127.5;
          out[dst + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
        }
      }
    }
  }
  return { width, height, data: out };
}

/** {@link imageGrid} encoded as PNG bytes. */
export function imageGridPng(
  data: Float32Array,
  n: number,
  size: number,
  options: ImageGridOptions = {},
): Uint8Array {
  return encodeRgbPng(imageGrid(data, n, size, options));
}
