/**
 * Cosine similarity between profiles.
 *
 * @module
 */

import type { Floats } from "./types.ts";

/**
 * All-pairs cosine similarity of the n rows of `x` (n × d): an n × n
 * row-major matrix. A zero row has similarity 0 to every row (itself too).
 *
 * @param x Row-major values.
 * @param d Number of features.
 */
export function cosineSimilarityMatrix(x: Floats, d: number): Float64Array {
  if (d <= 0 || x.length % d !== 0) {
    throw new RangeError(`cosineSimilarityMatrix: expected length a multiple of d = ${d}, got ${x.length}`);
  }
  const n = x.length / d;
  const u = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j] * x[i * d + j];
    const norm = Math.sqrt(s);
    if (norm > 0) { for (let j = 0; j < d; j++) u[i * d + j] = x[i * d + j] / norm; }
  }
  const sim = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += u[a * d + j] * u[b * d + j];
      sim[a * n + b] = s;
      sim[b * n + a] = s;
    }
  }
  return sim;
}
