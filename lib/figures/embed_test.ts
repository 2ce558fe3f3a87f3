import assert from "node:assert/strict";
import { Rng } from "../models/rng.ts";
import { pca2, umap2, zscore } from "./embed.ts";

function clusters(n: number, d: number, seed = 1): { data: Float64Array; label: number[] } {
  const rng = new Rng(seed);
  const label = Array.from({ length: n }, (_, i) => i % 2);
  const data = Float64Array.from(
    { length: n * d },
    (_, i) => (label[Math.floor(i / d)] ? 5 : 0) + rng.normal(),
  );
  return { data, label };
}

Deno.test("zscore drops constant and all-NaN columns", () => {
  const z = zscore([1, 7, NaN, 3, 7, NaN], 2, 3);
  assert.equal(z.d, 1);
  assert.deepEqual([...z.data].map((v) => Math.round(v * 1e6) / 1e6), [-0.707107, 0.707107]);
});

Deno.test("pca2 separates two clusters along PC1 and reports explained variance", () => {
  const n = 40, d = 6;
  const { data, label } = clusters(n, d);
  const e = pca2(data, n, d);
  assert.equal(e.points.length, n);
  const xs0 = e.points.filter((_, i) => label[i] === 0).map((p) => p[0]);
  const xs1 = e.points.filter((_, i) => label[i] === 1).map((p) => p[0]);
  assert.ok(Math.max(...xs0) < Math.min(...xs1) || Math.max(...xs1) < Math.min(...xs0));
  assert.ok(e.explained![0] > 0.5 && e.explained![0] + e.explained![1] <= 1 + 1e-9);
});

Deno.test("umap2 gives one seeded, repeatable point per row; tiny sets fall back to PCA", async () => {
  const n = 30, d = 5;
  const { data } = clusters(n, d, 2);
  const a = await umap2(data, n, d, { nNeighbors: 5, seed: 3, nEpochs: 50 });
  const b = await umap2(data, n, d, { nNeighbors: 5, seed: 3, nEpochs: 50 });
  assert.equal(a.points.length, n);
  assert.deepEqual(a.points, b.points);
  assert.ok(a.points.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const small = await umap2(data.subarray(0, 3 * d), 3, d);
  assert.equal(small.points.length, 3);
});
