/**
 * Retrospective multi-image illumination correction after Singh et al. 2014 ("Pipeline for illumination
 * correction of images for high-throughput microscopy", J. Microsc. 256:231), as CellProfiler's
 * CorrectIlluminationCalculate does it for BBBC021-style screens: per plate and channel,
 *
 * 1. average all fields of the plate ({@linkcode IlluminationAccumulator});
 * 2. smooth heavily ({@linkcode illuminationFunction}): block-mean downsample by `downsample` (default: to
 *    ~128 px on the short side), a median filter of radius `medianRadius` (default: a window of 1/10 of the
 *    short side, removing the cells' imprint), a 3-pass box blur approximating a Gaussian of the same
 *    radius, and bilinear upsampling back — the downsampling makes a window of ~100 full-resolution pixels
 *    cost ~1 ms instead of seconds, and loses nothing since the function is smooth at that scale;
 * 3. robust-scale: divide by the 2nd percentile ("robust minimum") and clamp at 1, so the function is ≥ 1;
 * 4. correct each field by dividing by the function ({@linkcode correctIllumination}), which leaves the
 *    dimmest region's intensities unchanged and never amplifies noise.
 *
 * @module
 */

import { boxBlur, boxRadiusForSigma, downsampleMean, medianFilter, upsampleBilinear } from "./filters.ts";
import { percentiles } from "./threshold.ts";

/** Sums fields of one plate, channel by channel, for the mean image. */
export class IlluminationAccumulator {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** Per-channel sums. */
  readonly sums: Float64Array[];
  /** Fields added. */
  count = 0;

  /** An empty accumulator for `channels` planes of `width`×`height`. */
  constructor(width: number, height: number, channels = 3) {
    this.width = width;
    this.height = height;
    this.sums = Array.from({ length: channels }, () => new Float64Array(width * height));
  }

  /** Adds one field's planes. @throws RangeError when sizes differ. */
  add(channels: readonly ArrayLike<number>[]): void {
    if (channels.length !== this.sums.length) {
      throw new RangeError(
        `IlluminationAccumulator: expected ${this.sums.length} channels, got ${channels.length}`,
      );
    }
    for (let c = 0; c < channels.length; c++) {
      const src = channels[c], dst = this.sums[c];
      if (src.length !== dst.length) {
        throw new RangeError(
          `IlluminationAccumulator: expected ${this.width}×${this.height} = ${dst.length} pixels, got ${src.length}`,
        );
      }
      for (let i = 0; i < dst.length; i++) dst[i] += src[i];
    }
    this.count++;
  }

  /** Adds another accumulator's sums (e.g. from a worker). */
  merge(sums: readonly Float64Array[], count: number): void {
    for (let c = 0; c < this.sums.length; c++) {
      const dst = this.sums[c], src = sums[c];
      if (!src || src.length !== dst.length) {
        throw new RangeError("IlluminationAccumulator.merge: size mismatch");
      }
      for (let i = 0; i < dst.length; i++) dst[i] += src[i];
    }
    this.count += count;
  }

  /** The mean image of channel `c`. @throws Error when no field was added. */
  mean(c: number): Float32Array {
    if (this.count === 0) throw new Error("IlluminationAccumulator.mean: no field was added");
    const s = this.sums[c], out = new Float32Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s[i] / this.count;
    return out;
  }
}

/** Options for {@linkcode illuminationFunction}. */
export interface IlluminationOptions {
  /** Downsampling factor for the smoothing (default: short side / 128, at least 1). */
  downsample?: number;
  /** Median radius in downsampled pixels (default: a window of 1/10 of the short side). */
  medianRadius?: number;
  /** Quantile used as the robust minimum (default 0.02). */
  robustQuantile?: number;
}

/**
 * The illumination function of a mean image: heavily smoothed, divided by its robust minimum and clamped
 * at ≥ 1. A constant image gives all ones.
 */
export function illuminationFunction(
  mean: ArrayLike<number>,
  width: number,
  height: number,
  options: IlluminationOptions = {},
): Float32Array {
  const short = Math.min(width, height);
  const f = Math.max(1, Math.floor(options.downsample ?? short / 128));
  const small = downsampleMean(mean, width, height, f);
  const r = Math.max(1, Math.round(options.medianRadius ?? short / f / 20));
  const med = medianFilter(small.data, small.width, small.height, r);
  const smooth = boxBlur(med, small.width, small.height, boxRadiusForSigma(r), 3);
  const full = upsampleBilinear({ width: small.width, height: small.height, data: smooth }, width, height, f);
  const [lo] = percentiles(full, [options.robustQuantile ?? 0.02]);
  const out = new Float32Array(full.length);
  if (!(lo > 0)) return out.fill(1);
  for (let i = 0; i < full.length; i++) {
    const v = full[i] / lo;
    out[i] = v > 1 ? v : 1;
  }
  return out;
}

/** `channel / illum` pixel by pixel, as Float32. */
export function correctIllumination(channel: ArrayLike<number>, illum: Float32Array): Float32Array {
  if (channel.length !== illum.length) {
    throw new RangeError(
      `correctIllumination: expected an illumination function of ${channel.length} pixels, got ${illum.length}`,
    );
  }
  const out = new Float32Array(channel.length);
  for (let i = 0; i < out.length; i++) out[i] = channel[i] / illum[i];
  return out;
}
