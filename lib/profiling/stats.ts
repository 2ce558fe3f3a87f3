/**
 * Small robust statistics used by aggregation and normalisation.
 *
 * @module
 */

/**
 * Median of `values[0..length)`, ignoring NaN (pandas `skipna`). Sorts `values`
 * in place; pass a scratch copy. The median of an even count is the mean of
 * the two middle values. Returns NaN when no finite-or-infinite value is left.
 *
 * @param values Scratch buffer, reordered by the call.
 * @param length Number of leading entries to use (defaults to all).
 */
export function medianInPlace(values: Float64Array, length = values.length): number {
  let m = 0;
  for (let i = 0; i < length; i++) {
    const v = values[i];
    if (!Number.isNaN(v)) values[m++] = v;
  }
  if (m === 0) return NaN;
  const view = values.subarray(0, m);
  view.sort();
  const h = m >> 1;
  return m % 2 === 1 ? view[h] : (view[h - 1] + view[h]) / 2;
}

/**
 * Median of an array, ignoring NaN. Does not modify the input.
 *
 * @param values The values.
 */
export function median(values: ArrayLike<number>): number {
  return medianInPlace(Float64Array.from(values));
}

/**
 * Median absolute deviation `median(|x - median(x)|)`, unscaled, ignoring NaN
 * (scipy `median_abs_deviation(nan_policy="omit", scale=1)`).
 *
 * @param values The values.
 * @param center The median of `values` when already known.
 */
export function mad(values: ArrayLike<number>, center: number = median(values)): number {
  const dev = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) dev[i] = Math.abs(values[i] - center);
  return medianInPlace(dev);
}
