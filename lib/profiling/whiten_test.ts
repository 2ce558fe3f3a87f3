import assert from "node:assert/strict";
import { cosineSimilarityMatrix } from "./cosine.ts";
import { Rng } from "../data/rng.ts";
import { assertClose, row } from "./test_util.ts";
import type { ProfileRow, ProfileTable } from "./types.ts";
import { fitWhitening, whiten } from "./whiten.ts";

function correlated(n: number, d: number, seed: number, control: number): ProfileTable<ProfileRow> {
  const rng = new Rng(seed);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: d }, () => rng.uniform() - 0.5);
    for (let j = 0; j < d; j++) data[i * d + j] = 3 + z[j] * (j + 1) + (j > 0 ? 2 * z[0] : 0);
  }
  const rows = Array.from({ length: n }, (_, i) => row({ compound: i < control ? "DMSO" : "x" }));
  return { features: Array.from({ length: d }, (_, j) => `f${j}`), data, rows };
}

Deno.test("whiten (ZCA): control rows get zero mean and identity covariance", () => {
  const d = 4, t = correlated(200, d, 3, 150);
  const r = whiten(t, { epsilon: 0 });
  assert.deepEqual(r.warnings, []);
  const ctrl = 150;
  const mean = new Array(d).fill(0);
  for (let i = 0; i < ctrl; i++) for (let j = 0; j < d; j++) mean[j] += r.table.data[i * d + j] / ctrl;
  for (const m of mean) assertClose(m, 0, 1e-9, "mean");
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      let s = 0;
      for (let i = 0; i < ctrl; i++) s += r.table.data[i * d + a] * r.table.data[i * d + b];
      assertClose(s / (ctrl - 1), a === b ? 1 : 0, 1e-8, `cov[${a}, ${b}]`);
    }
  }
});

Deno.test("ZCA's W is symmetric and PCA differs by a rotation: cosine similarities agree", () => {
  const d = 5, t = correlated(80, d, 9, 60);
  const ctrl = Array.from({ length: 60 }, (_, i) => i);
  const z = fitWhitening(t.data, d, ctrl);
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) assertClose(z.w[a * d + b], z.w[b * d + a], 1e-10);
  const zs = cosineSimilarityMatrix(whiten(t).table.data, d);
  const ps = cosineSimilarityMatrix(whiten(t, { method: "PCA" }).table.data, d);
  for (let i = 0; i < zs.length; i++) assertClose(zs[i], ps[i], 1e-9, "cosine");
});

Deno.test("whiten: ε regularises fewer control rows than features, with a warning; < 2 controls is an error", () => {
  const t = correlated(10, 6, 1, 4);
  const r = whiten(t);
  assert.ok([...r.table.data].every(Number.isFinite));
  assert.match(r.warnings[0], /only 4 "DMSO" rows for 6 features/);
  assert.throws(() => whiten(correlated(10, 2, 1, 1)), /expected at least 2 control rows .* found 1/);
  assert.throws(() => whiten(t, { method: "SVD" as "ZCA" }), /expected method "ZCA" or "PCA", got "SVD"/);
});
