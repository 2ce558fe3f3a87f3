import assert from "node:assert/strict";
import { symmetricEigen } from "./eigen.ts";
import { Rng } from "../data/rng.ts";
import { assertClose } from "./test_util.ts";

Deno.test("symmetricEigen of [[2, 1], [1, 2]]: eigenvalues 3 and 1, vectors (1, ±1)/√2", () => {
  const { values, vectors } = symmetricEigen([2, 1, 1, 2], 2);
  assertClose(values[0], 3, 1e-12);
  assertClose(values[1], 1, 1e-12);
  assertClose(Math.abs(vectors[0]), Math.SQRT1_2, 1e-12); // column 0 = (v00, v10)
  assertClose(vectors[0] * vectors[2], 0.5, 1e-12); // same sign for eigenvalue 3
  assertClose(vectors[1] * vectors[3], -0.5, 1e-12); // opposite signs for eigenvalue 1
});

Deno.test("symmetricEigen reconstructs a random 40 × 40 covariance with orthonormal vectors", () => {
  const d = 40, m = 60, rng = new Rng(7);
  const x = Array.from({ length: m * d }, () => rng.uniform() - 0.5);
  const a = new Float64Array(d * d);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < d; p++) for (let q = 0; q < d; q++) a[p * d + q] += x[i * d + p] * x[i * d + q];
  }
  const { values, vectors } = symmetricEigen(a, d);
  for (let k = 1; k < d; k++) assert.ok(values[k] <= values[k - 1], "decreasing eigenvalues");
  for (let p = 0; p < d; p++) {
    for (let q = 0; q < d; q++) {
      let rec = 0, dot = 0;
      for (let k = 0; k < d; k++) {
        rec += vectors[p * d + k] * values[k] * vectors[q * d + k];
        dot += vectors[k * d + p] * vectors[k * d + q];
      }
      assertClose(rec, a[p * d + q], 1e-9, `A[${p}, ${q}]`);
      assertClose(dot, p === q ? 1 : 0, 1e-10, `VᵀV[${p}, ${q}]`);
    }
  }
});

Deno.test("symmetricEigen validates its input", () => {
  assert.throws(() => symmetricEigen([1, 2, 3], 2), /expected a 2 × 2 matrix \(4 values\), got 3 values/);
  assert.throws(() => symmetricEigen([1, NaN, NaN, 1], 2), /expected finite entries/);
  const one = symmetricEigen([5], 1);
  assert.deepEqual([...one.values, ...one.vectors], [5, 1]);
});
