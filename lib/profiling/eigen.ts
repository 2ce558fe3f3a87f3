/**
 * Eigendecomposition of a real symmetric matrix by the cyclic Jacobi method.
 * O(d³) per sweep, typically 6–12 sweeps: fine for d up to a few hundred.
 *
 * @module
 */

/** Eigenvalues and eigenvectors of a symmetric matrix. */
export interface SymmetricEigen {
  /** Eigenvalues, in decreasing order. */
  values: Float64Array;
  /** Row-major d × d; column k is the unit eigenvector of `values[k]`. */
  vectors: Float64Array;
}

/**
 * Decomposes the symmetric matrix `a` (row-major d × d, not modified) as
 * `a = V · diag(values) · Vᵀ` with V orthogonal. Only symmetry up to rounding
 * is assumed: the upper and lower triangles are averaged first.
 *
 * @param a Symmetric matrix, row-major, length d².
 * @param d Order of the matrix.
 * @param maxSweeps Sweep limit (default 100); throws if not converged.
 */
export function symmetricEigen(a: ArrayLike<number>, d: number, maxSweeps = 100): SymmetricEigen {
  if (a.length !== d * d) {
    throw new RangeError(
      `symmetricEigen: expected a ${d} × ${d} matrix (${d * d} values), got ${a.length} values`,
    );
  }
  const m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const v = (a[i * d + j] + a[j * d + i]) / 2;
      if (!Number.isFinite(v)) {
        throw new RangeError(`symmetricEigen: expected finite entries, got ${v} at (${i}, ${j})`);
      }
      m[i * d + j] = v;
    }
  }
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  let total = 0;
  for (let i = 0; i < d * d; i++) total += m[i] * m[i];
  let converged = d < 2 || total === 0;
  for (let sweep = 0; sweep < maxSweeps && !converged; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += m[p * d + q] * m[p * d + q];
    if (off <= 1e-30 * total) {
      converged = true;
      break;
    }
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = m[p * d + q];
        if (apq === 0) continue;
        const app = m[p * d + p], aqq = m[q * d + q];
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        // A ← A·P (columns p, q), then A ← Pᵀ·A (rows p, q), V ← V·P.
        for (let k = 0; k < d; k++) {
          const kp = k * d + p, kq = k * d + q;
          const akp = m[kp], akq = m[kq];
          m[kp] = c * akp - s * akq;
          m[kq] = s * akp + c * akq;
        }
        const po = p * d, qo = q * d;
        for (let k = 0; k < d; k++) {
          const apk = m[po + k], aqk = m[qo + k];
          m[po + k] = c * apk - s * aqk;
          m[qo + k] = s * apk + c * aqk;
        }
        m[po + q] = 0;
        m[qo + p] = 0;
        for (let k = 0; k < d; k++) {
          const kp = k * d + p, kq = k * d + q;
          const vkp = v[kp], vkq = v[kq];
          v[kp] = c * vkp - s * vkq;
          v[kq] = s * vkp + c * vkq;
        }
      }
    }
  }
  if (!converged) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += m[p * d + q] * m[p * d + q];
    if (off > 1e-20 * total) {
      throw new Error(`symmetricEigen: no convergence after ${maxSweeps} sweeps (off-diagonal norm² ${off})`);
    }
  }
  const order = Array.from({ length: d }, (_, i) => i).sort((i, j) => m[j * d + j] - m[i * d + i]);
  const values = new Float64Array(d);
  const vectors = new Float64Array(d * d);
  order.forEach((src, k) => {
    values[k] = m[src * d + src];
    for (let r = 0; r < d; r++) vectors[r * d + k] = v[r * d + src];
  });
  return { values, vectors };
}
