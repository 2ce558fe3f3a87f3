import assert from "node:assert/strict";
import { cooccurrence, haralick, HARALICK_FEATURES, haralickFromGlcm, quantize } from "./haralick.ts";

const at = (f: Float64Array, name: typeof HARALICK_FEATURES[number]) => f[HARALICK_FEATURES.indexOf(name)];
const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);

Deno.test("haralick: a constant image has contrast 0, ASM 1, entropy 0, correlation NaN", () => {
  for (const d of [1, 3]) {
    const f = haralick(new Float32Array(100).fill(7), 10, { distance: d });
    close(at(f, "AngularSecondMoment"), 1);
    close(at(f, "Contrast"), 0);
    close(at(f, "Entropy"), 0);
    close(at(f, "InverseDifferenceMoment"), 1);
    close(at(f, "Variance"), 0);
    close(at(f, "SumAverage"), 0);
    close(at(f, "DifferenceEntropy"), 0);
    close(at(f, "InfoMeas2"), 0);
    assert.ok(Number.isNaN(at(f, "Correlation")));
    assert.ok(Number.isNaN(at(f, "InfoMeas1")));
  }
});

Deno.test("haralick: a one-pixel checkerboard (levels 0 and 7)", () => {
  const S = 12, v = new Float32Array(S * S);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) v[y * S + x] = (x + y) % 2;
  // 45° pairs of a finite board hold one more (0, 0) than (7, 7) or vice versa: tolerance 1e-3 there.
  for (const d of [1, 3]) {
    const f = haralick(v, S, { distance: d, levels: 8 });
    // Odd distance: 0° and 90° pairs always differ (|i − j| = 7, contrast 49), 45° and 135° pairs never.
    close(at(f, "Contrast"), (49 + 0 + 49 + 0) / 4);
    close(at(f, "AngularSecondMoment"), 0.5, 1e-3); // two cells of 1/2 in every direction
    close(at(f, "Entropy"), 1, 1e-3); // one bit
    close(at(f, "Correlation"), (-1 + 1 - 1 + 1) / 4);
    close(at(f, "InverseDifferenceMoment"), (1 / 50 + 1) / 2);
    close(at(f, "Variance"), 12.25, 1e-3); // levels 0 and 7 with p = 1/2: (3.5)²
    close(at(f, "SumAverage"), 7, 1e-3); // 0°: i + j = 7; 45°: i + j ∈ {0, 14} equally
    close(at(f, "SumVariance"), (0 + 49) / 2, 1e-2);
    close(at(f, "DifferenceEntropy"), 0);
  }
  // Even distance 2: every pair is equal.
  const f2 = haralick(v, S, { distance: 2 });
  close(at(f2, "Contrast"), 0);
  close(at(f2, "Correlation"), 1);
});

Deno.test("haralick: hand-counted GLCM of a 3×3 image", () => {
  // Levels (already quantised to 0..2 with 3 levels):
  //   0 0 1
  //   0 2 1
  //   2 2 2
  const q = Uint8Array.from([0, 0, 1, 0, 2, 1, 2, 2, 2]);
  const counts = new Float64Array(9);
  // Horizontal pairs: (0,0) (0,1) (0,2) (2,1) (2,2) (2,2): 6 pairs.
  assert.equal(cooccurrence(q, 3, 3, 0, 1, counts), 6);
  // Symmetric counts: [0,0]=2, [0,1]=[1,0]=1, [0,2]=[2,0]=1, [1,2]=[2,1]=1, [2,2]=4.
  assert.deepEqual([...counts], [2, 1, 1, 1, 0, 1, 1, 1, 4]);
  const p = counts.map((c) => c / 12);
  const f = new Float64Array(13);
  haralickFromGlcm(p, 3, f);
  close(at(f, "AngularSecondMoment"), (4 + 1 + 1 + 1 + 1 + 1 + 1 + 16) / 144);
  close(at(f, "Contrast"), (2 * 1 + 2 * 4 + 2 * 1) / 12);
  close(at(f, "InverseDifferenceMoment"), (2 + 4 + (2 * 1 + 2 * 1) / 2 + 2 / 5) / 12);
  const ent = -[2, 1, 1, 1, 1, 1, 1, 4].reduce((s, c) => s + (c / 12) * Math.log2(c / 12), 0);
  close(at(f, "Entropy"), ent);
  // Marginal px = (4, 2, 6)/12: μ = (2 + 12)/12, σ² = Σ i² px − μ².
  const mu = 14 / 12, var_ = (2 + 24) / 12 - mu * mu;
  close(at(f, "Variance"), var_);
  const sij = (1 * 2 * 2) / 12 + (2 * 2 * 4) / 12; // (1,2),(2,1) and (2,2)
  close(at(f, "Correlation"), (sij - mu * mu) / var_);
});

Deno.test("haralick: quantisation is per object and ignores the outside; masks limit pairs", () => {
  const v = Float32Array.from([0, 10, 20, 1000, 5, 15]);
  const mask = Uint8Array.from([1, 1, 1, 0, 1, 1]);
  assert.deepEqual([...quantize(v, mask, 4)], [0, 2, 3, 255, 1, 3]);
  // Scale invariance: multiplying the image changes nothing.
  const S = 16, a = new Float32Array(S * S), b = new Float32Array(S * S);
  for (let i = 0; i < a.length; i++) {
    a[i] = Math.sin(i * 0.37) + 2;
    b[i] = a[i] * 1000;
  }
  assert.deepEqual(haralick(a, S), haralick(b, S));
  // No pair inside a 1-pixel mask: all NaN.
  const one = new Uint8Array(S * S);
  one[40] = 1;
  assert.ok(haralick(a, S, { mask: one }).every(Number.isNaN));
  assert.ok(haralick(a, S, { mask: new Uint8Array(S * S) }).every(Number.isNaN));
});

Deno.test("haralick: bad arguments throw", () => {
  assert.throws(() => haralick(new Float32Array(10), 4), /expected 4×4 = 16 values, got 10/);
  assert.throws(() => haralick(new Float32Array(16), 4, { distance: 0 }), /positive integer distance/);
  assert.throws(() => haralick(new Float32Array(16), 4, { levels: 1 }), /grey levels/);
});
