/**
 * Whitening against the negative control ("TVN", typical variation
 * normalisation, Ando et al. 2017): centre on the control mean and decorrelate
 * with the control covariance.
 *
 *     C = (X_c − μ)ᵀ(X_c − μ) / (n_c − 1)      over the control rows X_c
 *     C = V Λ Vᵀ                                (symmetric eigendecomposition)
 *     ZCA: W = V (Λ + ε)^(−1/2) Vᵀ,  PCA: W = V (Λ + ε)^(−1/2),  ε = 1e-6
 *     x' = (x − μ) W                            for every row
 *
 * Differences from pycytominer's `Spherize` (ZCA, ε = 1e-6): pycytominer adds
 * ε to the singular values of the centred data and rejects rank-deficient
 * controls; here ε is added to the covariance eigenvalues (the paper's
 * `1/√(s + 1e-6)`), which also regularises rank-deficient controls (fewer
 * control rows than features). ZCA and PCA differ by the rotation Vᵀ, which
 * preserves cosine similarities, so nearest-neighbour and mAP results are the
 * same for both. The paper's code used C = XᵀX/n; the n − 1 here only
 * rescales W when ε is negligible, which cosine similarity ignores too.
 *
 * @module
 */

import { symmetricEigen } from "./eigen.ts";
import { NotApplicableError } from "./not_applicable.ts";
import type { NormalizeResult } from "./robustize.ts";
import { assertShape, CONTROL, type Floats, type ProfileRow, type ProfileTable } from "./types.ts";

/** Options of {@linkcode whiten}. */
export interface WhitenOptions {
  /** Added to the eigenvalues (default 1e-6). */
  epsilon?: number;
  /** Also added to the eigenvalues: this fraction of their mean (default 0; a scale-free regulariser). */
  shrinkage?: number;
  /** Compound of the control rows (default `"DMSO"`). */
  control?: string;
  /** `"ZCA"` (default, rotated back) or `"PCA"` (the paper's code). */
  method?: "ZCA" | "PCA";
}

/** A fitted whitening transform. */
export interface Whitening {
  /** Control mean, length d. */
  mean: Float64Array;
  /** Row-major d × d matrix W; x' = (x − mean) W. */
  w: Float64Array;
  /** Eigenvalues of the control covariance, decreasing. */
  eigenvalues: Float64Array;
}

/**
 * Fits the whitening transform on the given rows of `x` (n × d).
 *
 * @param x Row-major values.
 * @param d Number of features.
 * @param rows Indices of the rows to fit on (at least 2).
 * @param options ε and method.
 */
export function fitWhitening(
  x: Floats,
  d: number,
  rows: number[],
  options: Pick<WhitenOptions, "epsilon" | "shrinkage" | "method"> = {},
): Whitening {
  const method = options.method ?? "ZCA";
  if (method !== "ZCA" && method !== "PCA") {
    throw new RangeError(`fitWhitening: expected method "ZCA" or "PCA", got "${method}"`);
  }
  const m = rows.length;
  if (m < 2) {
    throw new Error(`fitWhitening: expected at least 2 control rows to estimate a covariance, got ${m}`);
  }
  const mean = new Float64Array(d);
  for (const i of rows) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= m;
  const cov = new Float64Array(d * d);
  const c = new Float64Array(d);
  for (const i of rows) {
    for (let j = 0; j < d; j++) c[j] = x[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) {
      const ca = c[a];
      if (ca === 0) continue;
      const o = a * d;
      for (let b = a; b < d; b++) cov[o + b] += ca * c[b];
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      cov[a * d + b] /= m - 1;
      cov[b * d + a] = cov[a * d + b];
    }
  }
  const { values, vectors } = symmetricEigen(cov, d);
  let meanValue = 0;
  for (const l of values) meanValue += Math.max(l, 0) / d;
  const eps = (options.epsilon ?? 1e-6) + (options.shrinkage ?? 0) * meanValue;
  const inv = values.map((l) => 1 / Math.sqrt(Math.max(l, 0) + eps));
  const w = new Float64Array(d * d);
  if (method === "PCA") {
    for (let a = 0; a < d; a++) for (let k = 0; k < d; k++) w[a * d + k] = vectors[a * d + k] * inv[k];
  } else {
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += vectors[a * d + k] * inv[k] * vectors[b * d + k];
        w[a * d + b] = s;
      }
    }
  }
  return { mean, w, eigenvalues: values };
}

/**
 * Applies a fitted whitening to every row: x' = (x − mean) W.
 *
 * @param x Row-major values (n × d).
 * @param d Number of features.
 * @param t The fitted transform.
 * @returns New array of the same type as `x`.
 */
export function applyWhitening(x: Floats, d: number, t: Whitening): Floats {
  const n = x.length / d;
  const out = x instanceof Float32Array ? new Float32Array(x.length) : new Float64Array(x.length);
  const c = new Float64Array(d);
  const acc = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) c[j] = x[o + j] - t.mean[j];
    acc.fill(0);
    for (let a = 0; a < d; a++) {
      const ca = c[a];
      if (ca === 0) continue;
      const wo = a * d;
      for (let b = 0; b < d; b++) acc[b] += ca * t.w[wo + b];
    }
    for (let b = 0; b < d; b++) out[o + b] = acc[b];
  }
  return out;
}

/**
 * Whitens all rows against the control rows of the whole table (not per
 * plate, as TVN). Throws a {@linkcode NotApplicableError} when fewer than 2 control rows exist; warns when
 * there are fewer control rows than features (the covariance is then singular
 * and only ε keeps W finite).
 *
 * @param table Rows with their compound.
 * @param options ε, control compound and method.
 */
export function whiten<R extends ProfileRow>(
  table: ProfileTable<R>,
  options: WhitenOptions = {},
): NormalizeResult<R> {
  assertShape(table, "whiten");
  const control = options.control ?? CONTROL;
  const d = table.features.length;
  const ctrl: number[] = [];
  table.rows.forEach((r, i) => {
    if (r.compound === control) ctrl.push(i);
  });
  if (ctrl.length < 2) {
    throw new NotApplicableError(
      `whiten: expected at least 2 control rows (compound "${control}") to fit the whitening, found ${ctrl.length}`,
    );
  }
  const warnings: string[] = [];
  if (ctrl.length <= d) {
    warnings.push(
      `whiten: only ${ctrl.length} "${control}" rows for ${d} features (expected more rows than features); ` +
        `the control covariance is singular and regularised by ε only`,
    );
  }
  const t = fitWhitening(table.data, d, ctrl, options);
  return {
    table: { features: [...table.features], data: applyWhitening(table.data, d, t), rows: table.rows },
    warnings,
  };
}
