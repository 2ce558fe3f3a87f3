import assert from "node:assert/strict";
import { INTENSITY_MEASURES, intensityFeatures, pearsonInMask } from "./intensity.ts";

const at = (f: Float32Array | Float64Array, m: typeof INTENSITY_MEASURES[number]) =>
  f[INTENSITY_MEASURES.indexOf(m)];

Deno.test("intensity: hand-computed statistics over a mask", () => {
  // 3×3 plane; the mask takes 1, 2, 3, 4, 10 (the 100 is outside).
  const v = Float32Array.from([1, 2, 3, 4, 10, 100, 0, 0, 0]);
  const m = Uint8Array.from([1, 1, 1, 1, 1, 0, 0, 0, 0]);
  const f = intensityFeatures(v, m, 3);
  assert.equal(at(f, "Integrated"), 20);
  assert.equal(at(f, "Mean"), 4);
  assert.ok(Math.abs(at(f, "Std") - Math.sqrt((9 + 4 + 1 + 0 + 36) / 5)) < 1e-12);
  assert.equal(at(f, "Min"), 1);
  assert.equal(at(f, "Max"), 10);
  assert.equal(at(f, "Median"), 3);
  assert.equal(at(f, "MAD"), 1); // |v − 3| = 2, 1, 0, 1, 7 → median 1
  assert.equal(at(f, "LowerQuartile"), 2);
  assert.equal(at(f, "UpperQuartile"), 4);
  // Centroid of the mask pixels (0,0) (1,0) (2,0) (0,1) (1,1): (0.8, 0.4); weighted: (1·0 + 2·1 + 3·2 + 4·0
  // + 10·1)/20 = 0.9, (4 + 10)/20 = 0.7.
  assert.ok(Math.abs(at(f, "MassDisplacement") - Math.hypot(0.1, 0.3)) < 1e-12);
});

Deno.test("intensity: even counts interpolate; MAD of a symmetric set", () => {
  const v = Float64Array.from([4, 1, 3, 2]);
  const f = intensityFeatures(v, new Uint8Array(4).fill(1), 2);
  assert.equal(at(f, "Median"), 2.5);
  assert.equal(at(f, "LowerQuartile"), 1.75);
  assert.equal(at(f, "UpperQuartile"), 3.25);
  assert.equal(at(f, "MAD"), 1); // deviations 1.5, 0.5, 0.5, 1.5
});

Deno.test("intensity: empty region gives 0 integrated and NaN; zero intensity gives NaN displacement", () => {
  const f = intensityFeatures(new Float32Array(9).fill(5), new Uint8Array(9), 3);
  assert.equal(f[0], 0);
  for (let k = 1; k < f.length; k++) assert.ok(Number.isNaN(f[k]));
  const g = intensityFeatures(new Float32Array(9), new Uint8Array(9).fill(1), 3);
  assert.equal(at(g, "Std"), 0);
  assert.ok(Number.isNaN(at(g, "MassDisplacement")));
  assert.throws(() => intensityFeatures(new Float32Array(8), new Uint8Array(9), 3), /3×3 plane and mask/);
});

Deno.test("pearson: identical channels 1, negated −1, constant NaN, mask respected", () => {
  const a = Float32Array.from([1, 5, 2, 8, 3, 0]);
  const m = Uint8Array.from([1, 1, 1, 1, 1, 0]);
  assert.equal(pearsonInMask(a, a, m), 1);
  assert.equal(pearsonInMask(a, a.map((x) => 10 - 2 * x), m), -1);
  assert.ok(Number.isNaN(pearsonInMask(a, new Float32Array(6).fill(3), m)));
  assert.ok(Number.isNaN(pearsonInMask(a, a, Uint8Array.from([1, 0, 0, 0, 0, 0]))));
  // Only the masked pixels count: b equals a inside, differs outside.
  const b = Float32Array.from([1, 5, 2, 8, 3, 999]);
  assert.equal(pearsonInMask(a, b, m), 1);
});

Deno.test("intensity: selection quantiles match a sorted reference (ties, odd and even n)", () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const n of [1, 2, 3, 10, 101, 256, 999]) {
    const size = Math.ceil(Math.sqrt(n));
    const v = new Float64Array(size * size), m = new Uint8Array(size * size);
    const vals: number[] = [];
    for (let i = 0; i < n; i++) {
      v[i] = Math.floor(rnd() * 20); // many ties
      m[i] = 1;
      vals.push(v[i]);
    }
    vals.sort((a, b) => a - b);
    const q = (s: number[], p: number) => {
      const pos = (s.length - 1) * p, lo = Math.floor(pos), hi = Math.min(s.length - 1, lo + 1);
      return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    };
    const med = q(vals, 0.5);
    const f = intensityFeatures(v, m, size);
    assert.equal(at(f, "Median"), med, `n=${n}`);
    assert.equal(at(f, "LowerQuartile"), q(vals, 0.25), `n=${n}`);
    assert.equal(at(f, "UpperQuartile"), q(vals, 0.75), `n=${n}`);
    assert.equal(at(f, "MAD"), q(vals.map((x) => Math.abs(x - med)).sort((a, b) => a - b), 0.5), `n=${n}`);
  }
});
