import assert from "node:assert/strict";
import { Rng } from "./rng.ts";

Deno.test("Rng: same seed, same stream; a restored state continues exactly", () => {
  const a = new Rng(42), b = new Rng(42);
  for (let i = 0; i < 10; i++) assert.equal(a.nextU32(), b.nextU32());
  a.normal(); // leaves a spare normal in the state
  const c = Rng.fromState(JSON.parse(JSON.stringify(a.state())));
  for (let i = 0; i < 5; i++) assert.equal(a.normal(), c.normal());
  assert.notEqual(new Rng(1).nextU32(), new Rng(2).nextU32());
});

Deno.test("Rng: normal and uniform moments, permutations", () => {
  const r = new Rng(3);
  const x = r.fillNormal(new Float32Array(20000));
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const varc = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(varc - 1) < 0.05, `mean ${mean} var ${varc}`);
  const u = r.fillUniform(new Float32Array(1000), 0.8, 1);
  assert.ok(u.every((v) => v >= 0.8 && v < 1));
  const p = r.permutation(50);
  assert.deepEqual([...p].sort((a, b) => a - b), [...Array(50).keys()]);
  assert.throws(() => Rng.fromState({ s: [1, 2] } as never), /invalid RNG state/);
});

Deno.test("Rng.fillNormal (ziggurat): the standard normal's CDF, tails and moments; restorable", () => {
  const n = 1_000_000;
  const r = new Rng(9);
  const x = r.fillNormal(new Float32Array(n));
  // Kolmogorov–Smirnov against Φ (erf by Abramowitz–Stegun 7.1.26, |error| < 1.5e-7).
  const erf = (z: number) => {
    const t = 1 / (1 + 0.3275911 * Math.abs(z));
    const y = 1 -
      ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
        t * Math.exp(-z * z);
    return z >= 0 ? y : -y;
  };
  const phi = (v: number) => 0.5 * (1 + erf(v / Math.SQRT2));
  const sorted = Float64Array.from(x).sort();
  let ks = 0;
  for (let i = 0; i < n; i += 7) ks = Math.max(ks, Math.abs(phi(sorted[i]) - (i + 0.5) / n));
  assert.ok(ks < 1.36 / Math.sqrt(n) * 1.5, `KS distance ${ks}`);
  // The tail beyond the base strip (R = 3.4426) and a far tail.
  const beyond = (c: number) => x.reduce((a, v) => a + (Math.abs(v) > c ? 1 : 0), 0) / n;
  assert.ok(Math.abs(beyond(3.4426) - 2 * (1 - phi(3.4426))) < 2.5e-4 / 2, `tail ${beyond(3.4426)}`);
  assert.ok(Math.abs(beyond(2) - 0.0455) < 0.001, `|x| > 2: ${beyond(2)}`);
  const m = (k: number) => x.reduce((a, v) => a + v ** k, 0) / n;
  assert.ok(Math.abs(m(1)) < 0.005 && Math.abs(m(2) - 1) < 0.01 && Math.abs(m(4) - 3) < 0.05);
  // Deterministic, and a saved state continues exactly.
  const a = new Rng(5), b = Rng.fromState(a.state());
  assert.deepEqual(a.fillNormal(new Float32Array(1000), 0.1), b.fillNormal(new Float32Array(1000), 0.1));
  const c = Rng.fromState(a.state());
  assert.deepEqual(a.fillNormal(new Float32Array(10)), c.fillNormal(new Float32Array(10)));
});
