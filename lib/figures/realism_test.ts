import assert from "node:assert/strict";
import { Rng } from "../models/rng.ts";
import {
  frechetDistance,
  meanDistanceToCentroid,
  oneNnAccuracy,
  spreadRatio,
  sqrtPsd,
  standardize,
} from "./realism.ts";

function gaussian(n: number, d: number, seed: number, mean: number[] = [], sd: number[] = []): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n * d }, (_, i) => (mean[i % d] ?? 0) + (sd[i % d] ?? 1) * rng.normal());
}

Deno.test("sqrtPsd squares back to the matrix", () => {
  const a = Float64Array.from([4, 2, 0, 2, 3, 1, 0, 1, 2]);
  const s = sqrtPsd(a, 3);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let v = 0;
      for (let k = 0; k < 3; k++) v += s[i * 3 + k] * s[k * 3 + j];
      assert.ok(Math.abs(v - a[i * 3 + j]) < 1e-9);
    }
  }
});

Deno.test("frechetDistance: near 0 for one distribution; the closed form for shifted, scaled Gaussians", () => {
  const d = 4, n = 4000;
  const same = frechetDistance(gaussian(n, d, 1), gaussian(n, d, 2), d);
  assert.ok(same.distance < 0.02, `same distribution: ${same.distance}`);
  // N(0, I) vs N(m, diag(s²)): ‖m‖² + Σ (1 − s)².
  const m = [1, 0, 2, 0], s = [1, 2, 1, 0.5];
  const expected = 5 + 1 + 0.25;
  const fd = frechetDistance(gaussian(n, d, 3), gaussian(n, d, 4, m, s), d);
  assert.ok(Math.abs(fd.distance - expected) < 0.25, `${fd.distance} vs ${expected}`);
  assert.ok(Math.abs(fd.meanTerm - 5) < 0.2);
  // Symmetric.
  const back = frechetDistance(gaussian(n, d, 4, m, s), gaussian(n, d, 3), d);
  assert.ok(Math.abs(back.distance - fd.distance) < 1e-6);
});

Deno.test("oneNnAccuracy: about 0.5 for one distribution, 1 for separated sets", () => {
  const d = 3;
  const same = oneNnAccuracy(gaussian(300, d, 1), gaussian(300, d, 2), d);
  assert.ok(Math.abs(same.accuracy - 0.5) < 0.08, `same: ${same.accuracy}`);
  const far = oneNnAccuracy(gaussian(100, d, 1), gaussian(100, d, 2, [20, 20, 20]), d);
  assert.equal(far.accuracy, 1);
  assert.equal(far.nA, 100);
  assert.equal(far.accuracyB, 1);
});

Deno.test("standardize: by the first set; drops constant and mostly-NaN columns; imputes the rest", () => {
  // 3 columns: varying, constant, NaN in 2 of 4 real rows.
  const real = Float64Array.from([1, 5, NaN, 3, 5, 1, 5, 5, NaN, 7, 5, 2]);
  const gen = Float64Array.from([4, 9, 1, NaN, 9, 1]);
  const st = standardize([real, gen], 3);
  assert.deepEqual(st.columns, [0]);
  assert.equal(st.sets[0].length, 4);
  const mean = 4, sd = Math.sqrt(((1 - 4) ** 2 + 1 + 1 + 9) / 3);
  assert.ok(Math.abs(st.sets[0][0] - (1 - mean) / sd) < 1e-12);
  assert.deepEqual([...st.sets[1]], [0, 0]); // 4 → 0; NaN → the real mean → 0
  assert.deepEqual(st.imputed, [0, 0.5]);
});

Deno.test("spreadRatio: ≈ 0 for a collapsed set, ≈ 1 for real cells resampled, proportional to scale", () => {
  const d = 6, n = 600;
  const real = gaussian(n, d, 1);
  // Mode collapse: every generated cell (nearly) the same point.
  const collapsed = gaussian(n, d, 2, [1, 0, 0, 0, 0, 1], Array(d).fill(1e-3));
  assert.ok(spreadRatio(real, collapsed, d) < 0.01, `collapsed: ${spreadRatio(real, collapsed, d)}`);
  // The real cells drawn again with replacement (a bootstrap) are as varied as the real cells.
  const rng = new Rng(3);
  const resampled = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rng.uniform() * n);
    resampled.set(real.subarray(k * d, (k + 1) * d), i * d);
  }
  const r = spreadRatio(real, resampled, d);
  assert.ok(Math.abs(r - 1) < 0.05, `resampled: ${r}`);
  // Another sample of the same distribution, and one half as wide.
  assert.ok(Math.abs(spreadRatio(real, gaussian(n, d, 4), d) - 1) < 0.05);
  const half = spreadRatio(real, gaussian(n, d, 5, [], Array(d).fill(0.5)), d);
  assert.ok(Math.abs(half - 0.5) < 0.03, `half as wide: ${half}`);
});

Deno.test("meanDistanceToCentroid: exact on a small set; rejects a ragged array", () => {
  // Points (0,0), (2,0), (0,2), (2,2): centroid (1,1), every point √2 away.
  const x = Float64Array.from([0, 0, 2, 0, 0, 2, 2, 2]);
  assert.ok(Math.abs(meanDistanceToCentroid(x, 2) - Math.SQRT2) < 1e-12);
  assert.throws(() => meanDistanceToCentroid(Float64Array.from([1, 2, 3]), 2), /expected \[n, 2\]/);
});
