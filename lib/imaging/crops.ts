/**
 * Single-cell crops: a `size`×`size` window centred on each nucleus centroid (rounded), cells whose
 * window leaves the image dropped, optionally with the pixels outside the cell's mask set to 0 (as the
 * authors' code did), channels in the order DNA, tubulin, actin. Crops are stored as one
 * `Uint16Array` of shape `[N, size, size, 3]` (NHWC, row-major), intensities rounded and clamped to
 * 0..65535 — the raw (or illumination-corrected) values, so normalisation stays a later, cheap choice
 * (see normalize.ts).
 *
 * @module
 */

/** A stack of crops. */
export interface CropStack {
  /** Crop side in pixels. */
  size: number;
  /** Number of crops. */
  count: number;
  /** `[count, size, size, 3]` NHWC values. */
  data: Uint16Array;
}

/** Options for {@linkcode extractCrops}. */
export interface ExtractCropsOptions {
  /** Crop side in pixels (default 96, as in the paper). */
  size?: number;
  /** Set pixels outside the cell's mask to 0 (default false). */
  maskOutsideCell?: boolean;
}

/** A crop centre: the object's label in the cell label image and its centroid. */
export interface CropCentre {
  /** Label of the cell (and nucleus). */
  label: number;
  /** Centroid x, pixels. */
  x: number;
  /** Centroid y, pixels. */
  y: number;
}

/** The window's top-left corner for a centroid, or null when a `size` window leaves the image. */
export function cropWindow(
  x: number,
  y: number,
  size: number,
  width: number,
  height: number,
): { x0: number; y0: number } | null {
  const x0 = Math.round(x) - Math.floor(size / 2), y0 = Math.round(y) - Math.floor(size / 2);
  if (x0 < 0 || y0 < 0 || x0 + size > width || y0 + size > height) return null;
  return { x0, y0 };
}

/**
 * Cuts crops around `centres` from three planar channels. Returns the stack and, for each centre, its
 * index in the stack or −1 when its window leaves the image.
 */
export function extractCrops(
  channels: readonly [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>],
  width: number,
  height: number,
  centres: readonly CropCentre[],
  cellLabels: Int32Array | null,
  options: ExtractCropsOptions = {},
): { crops: CropStack; index: number[] } {
  const size = options.size ?? 96;
  if (!(Number.isInteger(size) && size > 0)) {
    throw new RangeError(`extractCrops: expected a positive integer size, got ${size}`);
  }
  const maskOut = options.maskOutsideCell ?? false;
  if (maskOut && !cellLabels) throw new Error("extractCrops: maskOutsideCell needs the cell label image");
  const index: number[] = [];
  const windows: { x0: number; y0: number; label: number }[] = [];
  for (const c of centres) {
    const w = Number.isFinite(c.x) && Number.isFinite(c.y) ? cropWindow(c.x, c.y, size, width, height) : null;
    if (!w) {
      index.push(-1);
      continue;
    }
    index.push(windows.length);
    windows.push({ ...w, label: c.label });
  }
  const per = size * size * 3;
  const data = new Uint16Array(windows.length * per);
  windows.forEach((w, k) => {
    let o = k * per;
    for (let y = 0; y < size; y++) {
      const row = (w.y0 + y) * width + w.x0;
      for (let x = 0; x < size; x++, o += 3) {
        const i = row + x;
        if (maskOut && cellLabels![i] !== w.label) continue;
        for (let c = 0; c < 3; c++) {
          const v = Math.round(channels[c][i]);
          data[o + c] = v < 0 ? 0 : v > 65535 ? 65535 : v;
        }
      }
    }
  });
  return { crops: { size, count: windows.length, data }, index };
}
