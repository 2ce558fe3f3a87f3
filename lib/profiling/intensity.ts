/**
 * Intensity statistics of one channel inside one region, and Pearson correlation between channels,
 * CellProfiler-like (`MeasureObjectIntensity`, `MeasureColocalization`). Values are in the input's units.
 *
 * Measures over the pixels of the region: `Integrated` (sum), `Mean`, `Std` (population, ddof 0),
 * `Min`, `Max`, `Median`, `MAD` (median of |v − median|, unscaled), `LowerQuartile`, `UpperQuartile`
 * (quantiles with linear interpolation between order statistics, numpy's default), and `MassDisplacement`
 * (distance in pixels between the intensity-weighted centroid and the plain centroid of the region).
 *
 * Degenerate cases: an empty region gives `Integrated = 0` and NaN for the rest; `MassDisplacement` is NaN
 * when the region's total intensity is not positive. Pearson correlation is NaN with fewer than 2 pixels or
 * when either channel is constant in the region.
 *
 * @module
 */

/** The intensity measures, in output order. */
export const INTENSITY_MEASURES = [
  "Integrated",
  "Mean",
  "Std",
  "Min",
  "Max",
  "Median",
  "MAD",
  "LowerQuartile",
  "UpperQuartile",
  "MassDisplacement",
] as const;

/** Number of intensity measures per (channel, region). */
export const INTENSITY_COUNT = INTENSITY_MEASURES.length;

/**
 * Rearranges `a[0..n)` so that `a[k]` is the k-th smallest, everything before it ≤ and everything after
 * it ≥ (Hoare's selection with a median-of-three pivot; O(n) on average, no allocation).
 */
function select(a: Float64Array, n: number, k: number): number {
  let lo = 0, hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    const x = a[lo], y = a[mid], z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k];
}

/** Quantile `p` of `a[0..n)` with linear interpolation (numpy's default); reorders `a`. */
function quantile(a: Float64Array, n: number, p: number): number {
  const pos = (n - 1) * p;
  const k = Math.floor(pos), frac = pos - k;
  const v = select(a, n, k);
  if (frac === 0) return v;
  let next = Infinity;
  for (let t = k + 1; t < n; t++) if (a[t] < next) next = a[t];
  return v + (next - v) * frac;
}

/**
 * The {@linkcode INTENSITY_MEASURES} of `values` (a `size×size` plane) inside `mask`, written to
 * `out[offset…offset+10)`. `scratch`, when given, should hold `2·size²` values (it is reused).
 */
export function intensityFeatures(
  values: ArrayLike<number>,
  mask: Uint8Array,
  size: number,
  out: Float32Array | Float64Array = new Float64Array(INTENSITY_COUNT),
  offset = 0,
  scratch: Float64Array = new Float64Array(2 * size * size),
): Float32Array | Float64Array {
  if (values.length !== size * size || mask.length !== size * size) {
    throw new RangeError(
      `intensityFeatures: expected a ${size}×${size} plane and mask, got ${values.length} and ${mask.length} values`,
    );
  }
  let n = 0, sum = 0, sx = 0, sy = 0, wx = 0, wy = 0, min = Infinity, max = -Infinity;
  for (let y = 0, i = 0; y < size; y++) {
    for (let x = 0; x < size; x++, i++) {
      if (!mask[i]) continue;
      const v = values[i];
      scratch[n++] = v;
      sum += v;
      sx += x;
      sy += y;
      wx += v * x;
      wy += v * y;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (n === 0) {
    out[offset] = 0;
    for (let k = 1; k < INTENSITY_COUNT; k++) out[offset + k] = NaN;
    return out;
  }
  const mean = sum / n;
  let ss = 0;
  for (let k = 0; k < n; k++) ss += (scratch[k] - mean) * (scratch[k] - mean);
  const median = quantile(scratch, n, 0.5);
  const lq = quantile(scratch, n, 0.25), uq = quantile(scratch, n, 0.75);
  const devs = scratch.length >= 2 * n ? scratch.subarray(n, 2 * n) : new Float64Array(n);
  for (let k = 0; k < n; k++) devs[k] = Math.abs(scratch[k] - median);
  const mad = quantile(devs, n, 0.5);
  out[offset] = sum;
  out[offset + 1] = mean;
  out[offset + 2] = Math.sqrt(ss / n);
  out[offset + 3] = min;
  out[offset + 4] = max;
  out[offset + 5] = median;
  out[offset + 6] = mad;
  out[offset + 7] = lq;
  out[offset + 8] = uq;
  out[offset + 9] = sum > 0 ? Math.hypot(wx / sum - sx / n, wy / sum - sy / n) : NaN;
  return out;
}

/** Pearson correlation of `a` and `b` over the pixels set in `mask` (NaN when undefined). */
export function pearsonInMask(a: ArrayLike<number>, b: ArrayLike<number>, mask: Uint8Array): number {
  if (a.length !== mask.length || b.length !== mask.length) {
    throw new RangeError(
      `pearsonInMask: expected two planes and a mask of equal length, got ${a.length}, ${b.length}, ${mask.length}`,
    );
  }
  let n = 0, sa = 0, sb = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    n++;
    sa += a[i];
    sb += b[i];
  }
  if (n < 2) return NaN;
  const ma = sa / n, mb = sb / n;
  let saa = 0, sbb = 0, sab = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const da = a[i] - ma, db = b[i] - mb;
    saa += da * da;
    sbb += db * db;
    sab += da * db;
  }
  if (!(saa > 0) || !(sbb > 0)) return NaN;
  return Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb)));
}
