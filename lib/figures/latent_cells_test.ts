import assert from "node:assert/strict";
import { mean, reconstructionScores } from "./latent_cells.ts";

Deno.test("reconstructionScores: a reconstruction nearest its own cell is identified; the error is per value", () => {
  // Three 2-value "cells"; reconstructions of the first two are near their own, the third's is near the first.
  const real = Float32Array.from([0, 0, 1, 1, 2, 2]);
  const decoded = Float32Array.from([0.1, 0, 1, 0.9, 0.2, 0]);
  const s = reconstructionScores(real, decoded, 3);
  assert.ok(Math.abs(s.identified - 2 / 3) < 1e-12);
  const mse = ((0.01 + 0) / 2 + (0 + 0.01) / 2 + ((2 - 0.2) ** 2 + 4) / 2) / 3;
  assert.ok(Math.abs(s.mse - mse) < 1e-6, `${s.mse} vs ${mse}`);
  assert.equal(reconstructionScores(real, real, 3).identified, 1);
});

Deno.test("mean: of the finite values, NaN when none", () => {
  assert.equal(mean([1, NaN, 3]), 2);
  assert.ok(Number.isNaN(mean([NaN])));
});
