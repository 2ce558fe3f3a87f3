/**
 * Radial intensity distribution inside a cell, CellProfiler-like (`MeasureObjectIntensityDistribution`).
 *
 * Each pixel of the cell gets a normalised radius `r = dc / (dc + de)`, where `dc` is the Euclidean distance
 * from the pixel centre to the centre (the nucleus centroid) and `de` the Euclidean distance to the nearest
 * pixel outside the cell ({@linkcode distanceToEdge}; the crop is padded with background, so a cell clipped
 * by the crop ends at the crop border). `r` runs from 0 at the centre to ~1 at the edge and is cut into
 * `rings` equal bins (`ring = min(rings − 1, ⌊r·rings⌋)`). Per channel and ring:
 *
 * - `FracAtD`: the ring's share of the cell's total intensity (the rings sum to 1);
 * - `MeanFrac`: `FracAtD` over the ring's share of the cell's pixels (1 = as bright as the cell average);
 * - `RadialCV`: coefficient of variation (population std / mean) of the mean intensities of the ring's
 *   pixels in 8 angular wedges of 45° around the centre ({@linkcode octant}; wedges without pixels skipped).
 *
 * Degenerate cases: all NaN for an empty cell or a centre that is NaN; `FracAtD` and `MeanFrac` NaN when
 * the channel's total intensity in the cell is not positive; `MeanFrac` NaN for a ring without pixels;
 * `RadialCV` NaN with fewer than 2 non-empty wedges or a non-positive mean.
 *
 * @module
 */

import { distanceToEdge } from "./crop_segment.ts";

/** The radial measures, in output order (each for every channel and ring). */
export const RADIAL_MEASURES = ["FracAtD", "MeanFrac", "RadialCV"] as const;

const WEDGES = 8;

/**
 * Wedge 0…7 of the direction (dx, dy): the eight 45° sectors counter-clockwise from the −x axis (−180°…
 * −135° is 0), as `⌊(atan2(dy, dx) + π)/(π/4)⌋`, by comparisons only. A point on a boundary goes to either
 * side (it does not matter for a coefficient of variation).
 */
export function octant(dx: number, dy: number): number {
  const ax = dx < 0 ? -dx : dx, ay = dy < 0 ? -dy : dy;
  if (dy < 0) {
    if (dx < 0) return ay < ax ? 0 : 1;
    return ay > ax ? 2 : 3;
  }
  if (dx >= 0) return ay < ax ? 4 : 5;
  return ay > ax ? 6 : 7;
}

/**
 * Ring index (0…rings−1) of each pixel of `cell` (−1 outside), around the centre (`cx`, `cy`).
 * All −1 when the centre is NaN.
 */
export function ringIndex(cell: Uint8Array, size: number, cx: number, cy: number, rings: number): Int8Array {
  const ring = new Int8Array(size * size).fill(-1);
  if (!(cx === cx) || !(cy === cy)) return ring;
  const de = distanceToEdge(cell, size);
  for (let y = 0, i = 0; y < size; y++) {
    for (let x = 0; x < size; x++, i++) {
      if (!cell[i]) continue;
      const dx = x - cx, dy = y - cy;
      const dc = Math.sqrt(dx * dx + dy * dy);
      const r = dc / (dc + de[i]);
      const b = Math.floor(r * rings);
      ring[i] = b >= rings ? rings - 1 : b;
    }
  }
  return ring;
}

/**
 * The radial features of `channels` (planes `size×size`) in the cell, written to `out` starting at
 * `offset`, ordered measure-major: for each of {@linkcode RADIAL_MEASURES}, for each channel, for each
 * ring. Writes `3 · channels.length · rings` values.
 */
export function radialFeatures(
  channels: ArrayLike<number>[],
  cell: Uint8Array,
  size: number,
  cx: number,
  cy: number,
  rings: number,
  out: Float32Array | Float64Array,
  offset = 0,
): void {
  if (!Number.isInteger(rings) || rings < 1 || rings > 100) {
    throw new RangeError(`radialFeatures: expected an integer number of rings in [1, 100], got ${rings}`);
  }
  if (cell.length !== size * size) {
    throw new RangeError(`radialFeatures: expected a ${size}×${size} cell mask, got ${cell.length} values`);
  }
  const C = channels.length;
  const ring = ringIndex(cell, size, cx, cy, rings);
  const wedge = new Int8Array(size * size);
  const ringPixels = new Float64Array(rings);
  const wedgePixels = new Float64Array(rings * WEDGES);
  let total = 0;
  for (let y = 0, i = 0; y < size; y++) {
    for (let x = 0; x < size; x++, i++) {
      const b = ring[i];
      if (b < 0) continue;
      total++;
      ringPixels[b]++;
      const w = octant(x - cx, y - cy);
      wedge[i] = w;
      wedgePixels[b * WEDGES + w]++;
    }
  }
  const frac = offset, meanFrac = offset + C * rings, cv = offset + 2 * C * rings;
  const ringSum = new Float64Array(rings);
  const wedgeSum = new Float64Array(rings * WEDGES);
  for (let c = 0; c < C; c++) {
    const v = channels[c];
    if (v.length !== size * size) {
      throw new RangeError(`radialFeatures: expected ${size}×${size} channel planes, got ${v.length} values`);
    }
    ringSum.fill(0);
    wedgeSum.fill(0);
    let sum = 0;
    for (let i = 0; i < ring.length; i++) {
      const b = ring[i];
      if (b < 0) continue;
      ringSum[b] += v[i];
      wedgeSum[b * WEDGES + wedge[i]] += v[i];
      sum += v[i];
    }
    for (let b = 0; b < rings; b++) {
      const k = c * rings + b;
      if (total === 0 || !(sum > 0)) {
        out[frac + k] = NaN;
        out[meanFrac + k] = NaN;
      } else {
        const f = ringSum[b] / sum;
        out[frac + k] = f;
        out[meanFrac + k] = ringPixels[b] > 0 ? f / (ringPixels[b] / total) : NaN;
      }
      let m = 0, s = 0, s2 = 0;
      for (let w = 0; w < WEDGES; w++) {
        const np = wedgePixels[b * WEDGES + w];
        if (np === 0) continue;
        const mw = wedgeSum[b * WEDGES + w] / np;
        m++;
        s += mw;
        s2 += mw * mw;
      }
      const mean = m > 0 ? s / m : NaN;
      out[cv + k] = m >= 2 && mean > 0 ? Math.sqrt(Math.max(0, s2 / m - mean * mean)) / mean : NaN;
    }
  }
}
