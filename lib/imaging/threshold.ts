/**
 * Global thresholds and robust statistics.
 *
 * {@linkcode otsuThreshold} follows scikit-image's `threshold_otsu` (a 256-bin histogram over the data's
 * range, the split maximising the between-class variance), optionally over a mask, in one pass over
 * the pixels. {@linkcode percentiles} uses a fine histogram (4096 bins over the range, linear
 * interpolation inside a bin), so it is O(n) for any number of quantiles instead of a sort.
 *
 * @module
 */

/** Minimum and maximum of `data` (over `mask` where non-zero, when given). `[NaN, NaN]` when empty. */
export function minMax(data: ArrayLike<number>, mask?: Uint8Array): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    if (mask && !mask[i]) continue;
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo === Infinity ? [NaN, NaN] : [lo, hi];
}

/**
 * Otsu's threshold: the value `t` that best separates `data` into two classes (`v > t` is foreground,
 * as in scikit-image). `bins` histogram bins over the data range (default 256, as scikit-image).
 * A constant image returns its value.
 */
export function otsuThreshold(
  data: ArrayLike<number>,
  options: { bins?: number; mask?: Uint8Array } = {},
): number {
  const bins = options.bins ?? 256;
  const [lo, hi] = minMax(data, options.mask);
  if (!(hi > lo)) return lo;
  const hist = new Float64Array(bins);
  const scale = bins / (hi - lo);
  const mask = options.mask;
  for (let i = 0; i < data.length; i++) {
    if (mask && !mask[i]) continue;
    let b = Math.floor((data[i] - lo) * scale);
    if (b >= bins) b = bins - 1;
    hist[b]++;
  }
  return otsuFromHistogram(hist, lo, hi);
}

/**
 * Otsu's threshold from a histogram of `hist.length` equal bins spanning `[lo, hi]`: the upper edge of
 * the last background bin, so that `v > t` reproduces the optimal split exactly (scikit-image returns that
 * bin's centre, half a bin lower, which puts the top half of the bin in the foreground).
 */
export function otsuFromHistogram(hist: ArrayLike<number>, lo: number, hi: number): number {
  const bins = hist.length;
  const width = (hi - lo) / bins;
  let total = 0, sumAll = 0;
  for (let b = 0; b < bins; b++) {
    total += hist[b];
    sumAll += hist[b] * b;
  }
  let w0 = 0, sum0 = 0, best = -1, bestB = 0;
  for (let b = 0; b < bins - 1; b++) {
    w0 += hist[b];
    sum0 += hist[b] * b;
    const w1 = total - w0;
    if (w0 === 0 || w1 === 0) continue;
    const m0 = sum0 / w0, m1 = (sumAll - sum0) / w1;
    const between = w0 * w1 * (m0 - m1) * (m0 - m1);
    if (between > best) {
      best = between;
      bestB = b;
    }
  }
  return lo + (bestB + 1) * width;
}

/**
 * Several quantiles (`qs` in [0, 1]) of `data` (over `mask` where non-zero) from a histogram with
 * `bins` bins (default 4096) over the range, interpolating linearly inside the bin. Exact to
 * `range / bins`. Returns NaN for each quantile when no pixel is selected.
 */
export function percentiles(
  data: ArrayLike<number>,
  qs: readonly number[],
  options: { bins?: number; mask?: Uint8Array } = {},
): number[] {
  const bins = options.bins ?? 4096;
  const [lo, hi] = minMax(data, options.mask);
  if (Number.isNaN(lo)) return qs.map(() => NaN);
  if (!(hi > lo)) return qs.map(() => lo);
  const hist = new Float64Array(bins);
  const scale = bins / (hi - lo);
  const mask = options.mask;
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    if (mask && !mask[i]) continue;
    let b = Math.floor((data[i] - lo) * scale);
    if (b >= bins) b = bins - 1;
    hist[b]++;
    n++;
  }
  return quantilesFromHistogram(hist, lo, hi, n, qs);
}

/** Quantiles from a histogram of equal bins over `[lo, hi]` holding `n` values. */
export function quantilesFromHistogram(
  hist: ArrayLike<number>,
  lo: number,
  hi: number,
  n: number,
  qs: readonly number[],
): number[] {
  const bins = hist.length;
  const width = (hi - lo) / bins;
  return qs.map((q) => {
    if (n === 0) return NaN;
    const target = Math.min(1, Math.max(0, q)) * n;
    let acc = 0;
    for (let b = 0; b < bins; b++) {
      const c = hist[b];
      if (acc + c >= target && c > 0) return lo + (b + (target - acc) / c) * width;
      acc += c;
    }
    return hi;
  });
}
