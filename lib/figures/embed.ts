/**
 * 2-D maps of profiles (treatments): PCA of the standardised features, and UMAP (umap-js, seeded).
 * Columns that are constant or not finite everywhere are dropped first; remaining non-finite values sit at
 * the column mean.
 * @module
 */
import { symmetricEigen } from "../profiling/eigen.ts";
import { Rng } from "../models/rng.ts";

/** Standardised copy of `[n, d]` data: z-scored columns, constant or all-NaN columns dropped. */
export function zscore(data: ArrayLike<number>, n: number, d: number): { data: Float64Array; d: number } {
  const keep: number[] = [], mu: number[] = [], sd: number[] = [];
  for (let j = 0; j < d; j++) {
    let s = 0, c = 0;
    for (let i = 0; i < n; i++) {
      const v = data[i * d + j];
      if (Number.isFinite(v)) {
        s += v;
        c++;
      }
    }
    if (c < 2) continue;
    const m = s / c;
    let v2 = 0;
    for (let i = 0; i < n; i++) {
      const v = data[i * d + j];
      if (Number.isFinite(v)) v2 += (v - m) ** 2;
    }
    const sigma = Math.sqrt(v2 / (c - 1));
    if (!(sigma > 1e-12 * Math.max(1, Math.abs(m)))) continue;
    keep.push(j);
    mu.push(m);
    sd.push(sigma);
  }
  const k = keep.length, out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const v = data[i * d + keep[c]];
      out[i * k + c] = Number.isFinite(v) ? (v - mu[c]) / sd[c] : 0;
    }
  }
  return { data: out, d: k };
}

/** A 2-D embedding: `points[i] = [x, y]`. */
export interface Embedding {
  points: [number, number][];
  /** PCA: the fraction of variance of each of the two components. */
  explained?: [number, number];
}

/**
 * The first two principal components of the z-scored data (through the n × n Gram matrix, so the cost is
 * O(n²d + n³) whatever d). Signs are fixed so that the largest loading of each point set is positive.
 */
export function pca2(data: ArrayLike<number>, n: number, d: number): Embedding {
  const z = zscore(data, n, d);
  const k = z.d;
  if (n < 2 || k === 0) return { points: Array.from({ length: n }, () => [0, 0]), explained: [0, 0] };
  // Centre (z-scoring centred on finite values only; re-centre after imputation).
  const mean = new Float64Array(k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) mean[c] += z.data[i * k + c] / n;
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += (z.data[i * k + c] - mean[c]) * (z.data[j * k + c] - mean[c]);
      gram[i * n + j] = s;
      gram[j * n + i] = s;
    }
  }
  const { values, vectors } = symmetricEigen(gram, n);
  let total = 0;
  for (let i = 0; i < n; i++) total += Math.max(0, values[i]);
  const comp = (m: number) => {
    const s = Math.sqrt(Math.max(0, values[m] ?? 0));
    const col = Array.from({ length: n }, (_, i) => (m < n ? vectors[i * n + m] * s : 0));
    const big = col.reduce((b, v) => (Math.abs(v) > Math.abs(b) ? v : b), 0);
    return big < 0 ? col.map((v) => -v) : col;
  };
  const x = comp(0), y = comp(1);
  return {
    points: x.map((v, i) => [v, y[i]]),
    explained: [
      total ? Math.max(0, values[0]) / total : 0,
      total && n > 1 ? Math.max(0, values[1]) / total : 0,
    ],
  };
}

/**
 * UMAP of the z-scored data with umap-js (seeded; `nNeighbors` capped at n − 1). Fewer than 4 points are
 * placed by PCA instead.
 */
export async function umap2(
  data: ArrayLike<number>,
  n: number,
  d: number,
  options: { nNeighbors?: number; minDist?: number; seed?: number; nEpochs?: number } = {},
): Promise<Embedding> {
  if (n < 4) return { points: pca2(data, n, d).points };
  const z = zscore(data, n, d);
  const rows = Array.from({ length: n }, (_, i) => Array.from(z.data.subarray(i * z.d, (i + 1) * z.d)));
  const { UMAP } = await import("umap-js");
  const rng = new Rng(options.seed ?? 0);
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.max(2, Math.min(options.nNeighbors ?? 15, n - 1)),
    minDist: options.minDist ?? 0.1,
    nEpochs: options.nEpochs,
    random: () => rng.uniform(),
  });
  const points = umap.fit(rows.map((r) => (r.length ? r : [0]))) as [number, number][];
  return { points: points.map(([x, y]) => [x, y]) };
}
