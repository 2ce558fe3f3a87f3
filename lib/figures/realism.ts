/**
 * Realism of generated cells, our answer to the paper's expert test: how far apart real and generated crops
 * are in a feature space (classical CellProfiler-like features, or the latent layer of a discriminator that
 * was not trained against those samples).
 *
 * - **Fréchet distance** between Gaussians fitted to the two sets: ‖μ₁ − μ₂‖² + tr(C₁ + C₂ − 2(C₁^½ C₂
 *   C₁^½)^½) (FID's formula, here in a cell feature space). It is biased upward at finite n, so always read it
 *   beside the real-versus-real distance at the same n.
 * - **1-NN two-sample test** (Lopez-Paz & Oquab 2017): pool the two sets, classify each point by the set of
 *   its nearest other point (leave one out); accuracy 0.5 means indistinguishable, 1 fully separable.
 * - **Spread**: how varied the generated cells are beside the real ones, the mean distance of a set's points
 *   to its centroid, generated over real. 1: as varied as real cells; a generator that collapsed onto a few
 *   modes scores ≪ 1 (the FD and 1-NN say how far, the spread says whether the variety is there).
 *
 * Features are first standardised by the real set (columns with fewer than 95 % finite real values, or
 * constant on the real set, are dropped; remaining non-finite values sit at the real mean).
 * @module
 */
import { symmetricEigen } from "../profiling/eigen.ts";

/** Feature sets standardised by the first (the real) set. */
export interface Standardized {
  /** Kept column indices. */
  columns: number[];
  /** Each set, `[n_i, columns.length]` row-major. */
  sets: Float64Array[];
  /** Per set, the fraction of kept values that were non-finite (set to the real mean). */
  imputed: number[];
}

/**
 * Standardises `sets` (each `[n_i, d]` row-major) by the mean and standard deviation of `sets[0]`.
 */
export function standardize(
  sets: readonly (Float32Array | Float64Array)[],
  d: number,
  minFinite = 0.95,
): Standardized {
  const real = sets[0], n = real.length / d;
  const columns: number[] = [], mu: number[] = [], sigma: number[] = [];
  for (let j = 0; j < d; j++) {
    let s = 0, c = 0;
    for (let i = 0; i < n; i++) {
      const v = real[i * d + j];
      if (Number.isFinite(v)) {
        s += v;
        c++;
      }
    }
    if (c < Math.max(2, minFinite * n)) continue;
    const m = s / c;
    let v2 = 0;
    for (let i = 0; i < n; i++) {
      const v = real[i * d + j];
      if (Number.isFinite(v)) v2 += (v - m) ** 2;
    }
    const sd = Math.sqrt(v2 / (c - 1));
    if (!(sd > 1e-12 * Math.max(1, Math.abs(m)))) continue;
    columns.push(j);
    mu.push(m);
    sigma.push(sd);
  }
  const k = columns.length;
  const imputed: number[] = [];
  const out = sets.map((x) => {
    const rows = x.length / d, y = new Float64Array(rows * k);
    let bad = 0;
    for (let i = 0; i < rows; i++) {
      for (let c = 0; c < k; c++) {
        const v = x[i * d + columns[c]];
        if (Number.isFinite(v)) y[i * k + c] = (v - mu[c]) / sigma[c];
        else bad++;
      }
    }
    imputed.push(rows * k ? bad / (rows * k) : 0);
    return y;
  });
  return { columns, sets: out, imputed };
}

function meanCov(x: Float64Array, d: number): { mean: Float64Array; cov: Float64Array } {
  const n = x.length / d;
  if (n < 2) throw new RangeError(`frechetDistance: expected at least 2 samples, got ${n}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = x[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      for (let b = a; b < d; b++) cov[a * d + b] += ra * row[b];
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = cov[a * d + b] / (n - 1);
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
  }
  return { mean, cov };
}

/** The symmetric square root of a symmetric positive semi-definite matrix (negative eigenvalues → 0). */
export function sqrtPsd(a: Float64Array, d: number): Float64Array {
  const { values, vectors } = symmetricEigen(a, d);
  const out = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const s = Math.sqrt(Math.max(0, values[k]));
    if (s === 0) continue;
    for (let i = 0; i < d; i++) {
      const vik = vectors[i * d + k] * s;
      if (vik === 0) continue;
      for (let j = 0; j < d; j++) out[i * d + j] += vik * vectors[j * d + k];
    }
  }
  return out;
}

function matMul(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const aik = a[i * d + k];
      if (aik === 0) continue;
      for (let j = 0; j < d; j++) out[i * d + j] += aik * b[k * d + j];
    }
  }
  return out;
}

/** The Fréchet distance between Gaussians fitted to `a` and `b` (each `[n, d]` row-major), and its parts. */
export function frechetDistance(
  a: Float64Array,
  b: Float64Array,
  d: number,
): { distance: number; meanTerm: number; covTerm: number } {
  const A = meanCov(a, d), B = meanCov(b, d);
  let meanTerm = 0;
  for (let j = 0; j < d; j++) meanTerm += (A.mean[j] - B.mean[j]) ** 2;
  const s = sqrtPsd(A.cov, d);
  const { values } = symmetricEigen(matMul(matMul(s, B.cov, d), s, d), d);
  let trA = 0, trB = 0, trSqrt = 0;
  for (let j = 0; j < d; j++) {
    trA += A.cov[j * d + j];
    trB += B.cov[j * d + j];
    trSqrt += Math.sqrt(Math.max(0, values[j]));
  }
  const covTerm = Math.max(0, trA + trB - 2 * trSqrt);
  return { distance: meanTerm + covTerm, meanTerm, covTerm };
}

/** Result of the 1-NN two-sample test. */
export interface OneNn {
  /** Leave-one-out 1-NN accuracy over both sets (0.5: indistinguishable). */
  accuracy: number;
  /** Accuracy on the first (real) and second (generated) set. */
  accuracyA: number;
  accuracyB: number;
  nA: number;
  nB: number;
}

/** Leave-one-out 1-nearest-neighbour two-sample test accuracy of `a` against `b` (Euclidean). */
export function oneNnAccuracy(a: Float64Array, b: Float64Array, d: number): OneNn {
  const nA = a.length / d, nB = b.length / d, n = nA + nB;
  const at = (
    i: number,
  ) => (i < nA ? a.subarray(i * d, (i + 1) * d) : b.subarray((i - nA) * d, (i - nA + 1) * d));
  let okA = 0, okB = 0;
  for (let i = 0; i < n; i++) {
    const x = at(i);
    let best = Infinity, bestJ = -1;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const y = at(j);
      let s = 0;
      for (let k = 0; k < d && s < best; k++) s += (x[k] - y[k]) ** 2;
      if (s < best) {
        best = s;
        bestJ = j;
      }
    }
    if ((i < nA) === (bestJ < nA)) {
      if (i < nA) okA++;
      else okB++;
    }
  }
  return { accuracy: (okA + okB) / n, accuracyA: okA / nA, accuracyB: okB / nB, nA, nB };
}

/** The mean Euclidean distance of the rows of `x` (`[n, d]` row-major) to their centroid. */
export function meanDistanceToCentroid(x: Float64Array, d: number): number {
  const n = x.length / d;
  if (!(n >= 1) || !Number.isInteger(n)) {
    throw new RangeError(`meanDistanceToCentroid: expected [n, ${d}] values with n ≥ 1, got ${x.length}`);
  }
  const centroid = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) centroid[j] += x[i * d + j] / n;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += (x[i * d + j] - centroid[j]) ** 2;
    sum += Math.sqrt(s);
  }
  return sum / n;
}

/**
 * The spread of `generated` relative to `real` (both `[n_i, d]`, in the same standardised space): the ratio
 * of their mean distances to their own centroids. 1: as varied as the real cells; mode collapse: ≪ 1.
 */
export function spreadRatio(real: Float64Array, generated: Float64Array, d: number): number {
  return meanDistanceToCentroid(generated, d) / meanDistanceToCentroid(real, d);
}
