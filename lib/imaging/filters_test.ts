import assert from "node:assert/strict";
import {
  boxBlur,
  boxRadiusForSigma,
  downsampleMean,
  gaussianBlur,
  medianFilter,
  upsampleBilinear,
} from "./filters.ts";

Deno.test("gaussianBlur keeps a constant image and the mass of an impulse", () => {
  const w = 31, h = 21;
  const c = gaussianBlur(new Float32Array(w * h).fill(7), w, h, 2);
  for (const v of c) assert.ok(Math.abs(v - 7) < 1e-4);
  const imp = new Float32Array(w * h);
  imp[10 * w + 15] = 1;
  const g = gaussianBlur(imp, w, h, 1.5);
  const sum = g.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-4);
  assert.ok(g[10 * w + 15] > g[10 * w + 16] && g[10 * w + 16] > g[10 * w + 17]);
  assert.ok(Math.abs(g[10 * w + 14] - g[10 * w + 16]) < 1e-6, "symmetric");
});

Deno.test("gaussianBlur rejects a wrong size, naming the sizes", () => {
  assert.throws(() => gaussianBlur(new Float32Array(5), 2, 2, 1), /expected 4 pixels for 2×2, got 5/);
});

Deno.test("boxBlur: three passes approximate the Gaussian's variance", () => {
  const w = 201, h = 1;
  const imp = new Float32Array(w);
  imp[100] = 1;
  const sigma = 6;
  const b = boxBlur(imp, w, h, boxRadiusForSigma(sigma), 3);
  let m2 = 0;
  for (let x = 0; x < w; x++) m2 += b[x] * (x - 100) ** 2;
  assert.ok(Math.abs(Math.sqrt(m2) - sigma) < 0.6, `σ ≈ ${Math.sqrt(m2)}`);
});

Deno.test("medianFilter removes an outlier; down/upsampling round-trips a constant", () => {
  const w = 9, h = 9;
  const a = new Float32Array(w * h).fill(3);
  a[40] = 1000;
  assert.equal(medianFilter(a, w, h, 1)[40], 3);
  const small = downsampleMean(new Float32Array(100 * 60).fill(5), 100, 60, 8);
  assert.deepEqual([small.width, small.height], [13, 8]);
  for (const v of upsampleBilinear(small, 100, 60, 8)) assert.ok(Math.abs(v - 5) < 1e-5);
});
