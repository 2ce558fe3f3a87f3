/**
 * Haralick texture features from grey-level co-occurrence matrices (GLCM), CellProfiler-like
 * (`MeasureTexture`) with mahotas' definitions.
 *
 * Quantisation: the pixels inside the mask are rescaled linearly from their own minimum and maximum to
 * `levels` grey levels, `level = min(levels − 1, ⌊(v − min)/(max − min) · levels⌋)` (all level 0 when the
 * object is constant). Rescaling per object makes the texture independent of the input's intensity scale.
 *
 * Co-occurrence: for a distance d, the four offsets (dy, dx) = (0, d), (d, d), (d, 0), (d, −d), i.e. 0°, 45°,
 * 90° and 135°; a pair counts only when both pixels are inside the mask; the matrix is made symmetric and
 * normalised to sum 1. The 13 features below are computed for each direction and averaged over the four
 * (as mahotas `haralick(…, return_mean=True)`). Levels are indexed from 0 (sum average depends on this);
 * logarithms are base 2.
 *
 * With `P(i, j)` the normalised GLCM, `px = py` its marginal, `μ`, `σ²` the marginal's mean and variance,
 * `p₊(k) = Σ_{i+j=k} P`, `p₋(k) = Σ_{|i−j|=k} P`, `HX = HY = −Σ px log px`, `HXY = −Σ P log P`,
 * `HXY1 = −Σ P log(px(i) py(j))`, `HXY2 = −Σ px(i) py(j) log(px(i) py(j))`:
 *
 * - `AngularSecondMoment` Σ P², `Contrast` Σ k² p₋(k), `Correlation` (Σ ij P − μ²)/σ²,
 *   `Variance` Σ (i − μ)² P, `InverseDifferenceMoment` Σ P/(1 + (i − j)²), `SumAverage` Σ k p₊(k),
 *   `SumVariance` Σ (k − SumAverage)² p₊(k), `SumEntropy` −Σ p₊ log p₊, `Entropy` HXY,
 *   `DifferenceVariance` the variance of p₋, `DifferenceEntropy` −Σ p₋ log p₋,
 *   `InfoMeas1` (HXY − HXY1)/max(HX, HY), `InfoMeas2` √(1 − exp(−2 (HXY2 − HXY))).
 *
 * Degenerate cases: a direction with no pair inside the mask contributes nothing to the average; when no
 * direction has a pair (empty or tiny mask) every feature is NaN. A quotient with a zero denominator is NaN:
 * `Correlation` and `InfoMeas1` of a constant object are NaN (its `AngularSecondMoment` is 1, `Contrast`
 * and `Entropy` 0, `InfoMeas2` 0). A NaN in one direction makes the average NaN.
 *
 * @module
 */

/** The texture features, in output order. */
export const HARALICK_FEATURES = [
  "AngularSecondMoment",
  "Contrast",
  "Correlation",
  "Variance",
  "InverseDifferenceMoment",
  "SumAverage",
  "SumVariance",
  "SumEntropy",
  "Entropy",
  "DifferenceVariance",
  "DifferenceEntropy",
  "InfoMeas1",
  "InfoMeas2",
] as const;

/** Number of texture features per (channel, distance). */
export const HARALICK_COUNT = HARALICK_FEATURES.length;

/**
 * Quantises the values inside `mask` to `levels` grey levels (see the module documentation). Pixels outside
 * the mask get 255. Returns the quantised image (`Uint8Array`, same length as `values`).
 *
 * @param values One channel, row-major (any numeric array).
 * @param mask Non-zero = inside; same length as `values`.
 * @param levels Number of grey levels, 2 to 255.
 */
export function quantize(
  values: ArrayLike<number>,
  mask: Uint8Array,
  levels: number,
  out: Uint8Array = new Uint8Array(values.length),
): Uint8Array {
  if (!Number.isInteger(levels) || levels < 2 || levels > 255) {
    throw new RangeError(`quantize: expected an integer number of grey levels in [2, 255], got ${levels}`);
  }
  if (mask.length !== values.length) {
    throw new RangeError(`quantize: expected a mask of ${values.length} values, got ${mask.length}`);
  }
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (!mask[i]) continue;
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi > lo ? levels / (hi - lo) : 0;
  for (let i = 0; i < values.length; i++) {
    if (!mask[i]) {
      out[i] = 255;
      continue;
    }
    const q = Math.floor((values[i] - lo) * scale);
    out[i] = q >= levels ? levels - 1 : q < 0 ? 0 : q;
  }
  return out;
}

/**
 * Symmetric co-occurrence counts of the quantised image `q` (`size×size`, 255 = outside) for the offset
 * (dy, dx), added into `counts` (`levels²`, row-major). Returns the number of pairs (each counted once).
 */
export function cooccurrence(
  q: Uint8Array,
  size: number,
  levels: number,
  dy: number,
  dx: number,
  counts: Float64Array,
): number {
  let pairs = 0;
  const y0 = Math.max(0, -dy), y1 = Math.min(size, size - dy);
  const x0 = Math.max(0, -dx), x1 = Math.min(size, size - dx);
  const shift = dy * size + dx;
  for (let y = y0; y < y1; y++) {
    let i = y * size + x0;
    for (let x = x0; x < x1; x++, i++) {
      const a = q[i];
      if (a === 255) continue;
      const b = q[i + shift];
      if (b === 255) continue;
      counts[a * levels + b]++;
      counts[b * levels + a]++;
      pairs++;
    }
  }
  return pairs;
}

/**
 * The 13 {@linkcode HARALICK_FEATURES} of one normalised symmetric GLCM `p` (`levels²`, sums to 1),
 * written to `out[offset…offset+13)`.
 */
export function haralickFromGlcm(
  p: Float64Array,
  levels: number,
  out: Float64Array,
  offset = 0,
): void {
  const L = levels;
  const px = new Float64Array(L);
  const psum = new Float64Array(2 * L - 1);
  const pdiff = new Float64Array(L);
  let asm = 0, idm = 0, hxy = 0, sij = 0;
  for (let i = 0; i < L; i++) {
    for (let j = 0; j < L; j++) {
      const v = p[i * L + j];
      if (v === 0) continue;
      px[i] += v;
      psum[i + j] += v;
      const d = i > j ? i - j : j - i;
      pdiff[d] += v;
      asm += v * v;
      idm += v / (1 + d * d);
      hxy -= v * Math.log2(v);
      sij += i * j * v;
    }
  }
  let mu = 0;
  for (let i = 0; i < L; i++) mu += i * px[i];
  let varx = 0, hx = 0;
  for (let i = 0; i < L; i++) {
    varx += (i - mu) * (i - mu) * px[i];
    if (px[i] > 0) hx -= px[i] * Math.log2(px[i]);
  }
  let contrast = 0, dmean = 0, dent = 0;
  for (let k = 0; k < L; k++) {
    const v = pdiff[k];
    contrast += k * k * v;
    dmean += k * v;
    if (v > 0) dent -= v * Math.log2(v);
  }
  let dvar = 0;
  for (let k = 0; k < L; k++) dvar += (k - dmean) * (k - dmean) * pdiff[k];
  let savg = 0, sent = 0;
  for (let k = 0; k < 2 * L - 1; k++) {
    const v = psum[k];
    savg += k * v;
    if (v > 0) sent -= v * Math.log2(v);
  }
  let svar = 0;
  for (let k = 0; k < 2 * L - 1; k++) svar += (k - savg) * (k - savg) * psum[k];
  let hxy1 = 0, hxy2 = 0;
  for (let i = 0; i < L; i++) {
    if (px[i] === 0) continue;
    for (let j = 0; j < L; j++) {
      if (px[j] === 0) continue;
      const pp = px[i] * px[j];
      const lp = Math.log2(pp);
      hxy1 -= p[i * L + j] * lp;
      hxy2 -= pp * lp;
    }
  }
  out[offset] = asm;
  out[offset + 1] = contrast;
  out[offset + 2] = varx > 0 ? (sij - mu * mu) / varx : NaN;
  out[offset + 3] = varx;
  out[offset + 4] = idm;
  out[offset + 5] = savg;
  out[offset + 6] = svar;
  out[offset + 7] = sent;
  out[offset + 8] = hxy;
  out[offset + 9] = dvar;
  out[offset + 10] = dent;
  out[offset + 11] = hx > 0 ? (hxy - hxy1) / hx : NaN;
  out[offset + 12] = Math.sqrt(Math.max(0, 1 - Math.exp(-2 * (hxy2 - hxy))));
}

/** The four offsets (dy, dx) at distance d: 0°, 45°, 90°, 135°. */
function offsets(d: number): [number, number][] {
  return [[0, d], [d, d], [d, 0], [d, -d]];
}

/**
 * Haralick features of the quantised image `q` (from {@linkcode quantize}) at each of `distances`,
 * averaged over the four directions, written to `out` from `offset`, 13 per distance (NaN when no pair
 * exists). One pass over the object's pixels for all distances and directions.
 */
export function haralickMulti(
  q: Uint8Array,
  size: number,
  levels: number,
  distances: readonly number[],
  out: Float32Array | Float64Array,
  offset = 0,
): void {
  for (const d of distances) {
    if (!Number.isInteger(d) || d < 1) {
      throw new RangeError(`haralick: expected a positive integer distance, got ${d}`);
    }
  }
  const L = levels, L2 = L * L;
  const pad = Math.max(...distances);
  const W = size + 2 * pad;
  // Padded copy (255 = outside) so that neighbour look-ups need no bounds checks.
  const padded = new Uint8Array(W * (size + pad + 1)).fill(255);
  const inside: number[] = [];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = q[y * size + x];
      if (v === 255) continue;
      const j = y * W + x + pad;
      padded[j] = v;
      inside.push(j);
    }
  }
  const shifts: number[] = [];
  for (const d of distances) for (const [dy, dx] of offsets(d)) shifts.push(dy * W + dx);
  const K = shifts.length;
  const counts = new Float64Array(K * L2);
  const pairs = new Float64Array(K);
  for (const i of inside) {
    const a = padded[i] * L;
    for (let k = 0; k < K; k++) {
      const b = padded[i + shifts[k]];
      if (b === 255) continue;
      counts[k * L2 + a + b]++;
      pairs[k]++;
    }
  }
  const p = new Float64Array(L2);
  const one = new Float64Array(HARALICK_COUNT);
  for (let di = 0; di < distances.length; di++) {
    const acc = new Float64Array(HARALICK_COUNT);
    let used = 0;
    for (let r = 0; r < 4; r++) {
      const k = di * 4 + r;
      if (pairs[k] === 0) continue;
      const c = counts.subarray(k * L2, (k + 1) * L2), total = 2 * pairs[k];
      for (let i = 0; i < L; i++) {
        for (let j = 0; j < L; j++) p[i * L + j] = (c[i * L + j] + c[j * L + i]) / total;
      }
      haralickFromGlcm(p, L, one);
      for (let t = 0; t < HARALICK_COUNT; t++) acc[t] += one[t];
      used++;
    }
    for (let t = 0; t < HARALICK_COUNT; t++) {
      out[offset + di * HARALICK_COUNT + t] = used > 0 ? acc[t] / used : NaN;
    }
  }
}

/**
 * Haralick features of the quantised image `q` (from {@linkcode quantize}) at distance `distance`,
 * averaged over the four directions, written to `out[offset…offset+13)` (NaN when no pair exists).
 */
export function haralickQuantized(
  q: Uint8Array,
  size: number,
  levels: number,
  distance: number,
  out: Float32Array | Float64Array,
  offset = 0,
): void {
  haralickMulti(q, size, levels, [distance], out, offset);
}

/**
 * Haralick features of one channel (`size×size`, row-major) inside `mask` at distance `distance` with
 * `levels` grey levels (see the module documentation). Returns the 13 values in
 * {@linkcode HARALICK_FEATURES} order.
 *
 * @throws RangeError for a wrong-sized channel or mask, a bad distance or number of levels.
 */
export function haralick(
  values: ArrayLike<number>,
  size: number,
  options: { mask?: Uint8Array; levels?: number; distance?: number } = {},
): Float64Array {
  if (values.length !== size * size) {
    throw new RangeError(`haralick: expected ${size}×${size} = ${size * size} values, got ${values.length}`);
  }
  const mask = options.mask ?? new Uint8Array(size * size).fill(1);
  const levels = options.levels ?? 8;
  const q = quantize(values, mask, levels);
  const out = new Float64Array(HARALICK_COUNT);
  haralickQuantized(q, size, levels, options.distance ?? 1, out);
  return out;
}
