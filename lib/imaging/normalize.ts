/**
 * Crop normalisations to [−1, 1] for the networks:
 *
 * - `"crop-max"` — the paper's: each channel of each crop divided by its own maximum (→ [0, 1]), then
 *   mapped to [−1, 1]. Removes all absolute intensity information (a dim and a bright cell look alike).
 * - `"plate-percentile"` — per plate and channel, `(v − lo) / (hi − lo)` clamped to [0, 1], then mapped to
 *   [−1, 1], with `lo`/`hi` the 0.1st/99.9th percentiles of the cell pixels of the plate's DMSO (control)
 *   fields, or of all its fields when it has no control field. One affine map per plate keeps the intensity
 *   differences between treatments on a plate (and the DMSO reference cancels plate-to-plate gain). A crop
 *   store's plates with few DMSO cells fall back to their batch's DMSO cells (lib/imaging/plate_scaling.ts).
 *
 * Percentiles come from {@linkcode IntensityHistogram}s (4096 bins over the bit depth's range, so ≤ 16
 * grey levels of a 16-bit image per bin), which workers fill per field and the driver merges per plate.
 *
 * @module
 */

import { quantilesFromHistogram } from "./threshold.ts";

/** The normalisations. `"none"` keeps the raw Uint16 values. */
export type Normalization = "none" | "crop-max" | "plate-percentile";

/** The normalisation names. */
export const NORMALIZATIONS: readonly Normalization[] = ["none", "crop-max", "plate-percentile"];

/** Number of histogram bins per channel. */
export const HISTOGRAM_BINS = 4096;

/** Per-channel intensity histograms over `[0, 2^bitDepth)`. */
export class IntensityHistogram {
  /** Bit depth of the data (8 or 16). */
  readonly bitDepth: 8 | 16;
  /** `3 × HISTOGRAM_BINS` counts, channel-major. */
  readonly counts: Float64Array;

  /** An empty histogram (optionally from existing counts). */
  constructor(bitDepth: 8 | 16, counts?: Float64Array) {
    this.bitDepth = bitDepth;
    this.counts = counts ?? new Float64Array(3 * HISTOGRAM_BINS);
  }

  /** Adds the pixels of three planar channels where `mask` is non-zero. */
  add(channels: readonly ArrayLike<number>[], mask: ArrayLike<number>): void {
    const scale = HISTOGRAM_BINS / 2 ** this.bitDepth;
    for (let c = 0; c < 3; c++) {
      const ch = channels[c], base = c * HISTOGRAM_BINS;
      for (let i = 0; i < mask.length; i++) {
        if (!mask[i]) continue;
        let b = Math.floor(ch[i] * scale);
        if (b < 0) b = 0;
        else if (b >= HISTOGRAM_BINS) b = HISTOGRAM_BINS - 1;
        this.counts[base + b]++;
      }
    }
  }

  /** Adds another histogram's counts. */
  merge(other: IntensityHistogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
  }

  /** Pixels counted (per channel). */
  get total(): number {
    let s = 0;
    for (let i = 0; i < HISTOGRAM_BINS; i++) s += this.counts[i];
    return s;
  }

  /** Quantile `q` of channel `c`. */
  quantile(c: number, q: number): number {
    const h = this.counts.subarray(c * HISTOGRAM_BINS, (c + 1) * HISTOGRAM_BINS);
    return quantilesFromHistogram(h, 0, 2 ** this.bitDepth, this.total, [q])[0];
  }
}

/** Per-plate scaling of {@linkcode normalizePlatePercentile}. */
export interface PlateScaling {
  /** Per-channel low values (DNA, tubulin, actin). */
  lo: [number, number, number];
  /** Per-channel high values. */
  hi: [number, number, number];
  /** Where the percentiles came from: the plate's DMSO fields or all its fields. */
  source: "dmso" | "all";
  /** Pixels the percentiles were computed from. */
  pixels: number;
}

/** The plate scaling from histograms of the plate's control and all fields (0.1st / 99.9th percentiles). */
export function plateScaling(
  dmso: IntensityHistogram | null,
  all: IntensityHistogram,
  qLo = 0.001,
  qHi = 0.999,
): PlateScaling {
  const useDmso = dmso !== null && dmso.total >= 1000;
  const h = useDmso ? dmso! : all;
  const lo = [0, 1, 2].map((c) => h.quantile(c, qLo)) as [number, number, number];
  const hi = [0, 1, 2].map((c, k) => Math.max(h.quantile(c, qHi), lo[k] + 1)) as [number, number, number];
  return { lo, hi, source: useDmso ? "dmso" : "all", pixels: h.total };
}

/** The paper's normalisation of a `[N, S, S, 3]` stack: per crop and channel `2·v/max − 1`. */
export function normalizeCropMax(data: ArrayLike<number>, count: number, size: number): Float32Array {
  const per = size * size * 3;
  if (data.length !== count * per) {
    throw new RangeError(
      `normalizeCropMax: expected ${count * per} values for ${count} crops of ${size}², got ${data.length}`,
    );
  }
  const out = new Float32Array(data.length);
  for (let k = 0; k < count; k++) {
    const base = k * per;
    for (let c = 0; c < 3; c++) {
      let max = 0;
      for (let i = base + c; i < base + per; i += 3) if (data[i] > max) max = data[i];
      const s = max > 0 ? 2 / max : 0;
      for (let i = base + c; i < base + per; i += 3) out[i] = data[i] * s - 1;
    }
  }
  return out;
}

/** Per-plate percentile normalisation of a `[N, S, S, 3]` stack to [−1, 1]. */
export function normalizePlatePercentile(
  data: ArrayLike<number>,
  scaling: Pick<PlateScaling, "lo" | "hi">,
): Float32Array {
  const out = new Float32Array(data.length);
  const s = scaling.lo.map((lo, c) => 2 / (scaling.hi[c] - lo));
  for (let i = 0; i < data.length; i++) {
    const c = i % 3;
    const v = (data[i] - scaling.lo[c]) * s[c] - 1;
    out[i] = v < -1 ? -1 : v > 1 ? 1 : v;
  }
  return out;
}
