import assert from "node:assert/strict";
import { hash32, inverseNormalCdf, Rng, seedFrom } from "./rng.ts";

Deno.test("Rng is deterministic for a seed and differs between seeds", () => {
  const a = new Rng(7), b = new Rng(7), c = new Rng(8);
  const sa = Array.from({ length: 20 }, () => a.nextU32());
  const sb = Array.from({ length: 20 }, () => b.nextU32());
  const sc = Array.from({ length: 20 }, () => c.nextU32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
  assert.ok(sa.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32));
});

Deno.test("Rng uniform, normal and poisson have the right moments", () => {
  const rng = new Rng(123);
  const n = 40000;
  let su = 0, sn = 0, sn2 = 0, sp = 0, sp2 = 0, sp40 = 0;
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    assert.ok(u >= 0 && u < 1);
    su += u;
    const z = rng.normal(3, 2);
    sn += z;
    sn2 += z * z;
    const p = rng.poisson(4);
    sp += p;
    sp2 += p * p;
    sp40 += rng.poisson(40);
  }
  assert.ok(Math.abs(su / n - 0.5) < 0.01);
  const mean = sn / n;
  assert.ok(Math.abs(mean - 3) < 0.05, `normal mean ${mean}`);
  assert.ok(Math.abs(Math.sqrt(sn2 / n - mean * mean) - 2) < 0.05);
  const pm = sp / n;
  assert.ok(Math.abs(pm - 4) < 0.05, `poisson mean ${pm}`);
  assert.ok(Math.abs(sp2 / n - pm * pm - 4) < 0.15, "poisson variance");
  assert.ok(Math.abs(sp40 / n - 40) < 0.2);
});

Deno.test("fillNormal gives approximately N(0, 1)", () => {
  const out = new Rng(5).fillNormal(new Float32Array(100001));
  let s = 0, s2 = 0;
  for (const v of out) {
    s += v;
    s2 += v * v;
  }
  assert.ok(Math.abs(s / out.length) < 0.02);
  assert.ok(Math.abs(s2 / out.length - 1) < 0.03);
});

Deno.test("inverseNormalCdf matches known quantiles and rejects bad input", () => {
  assert.ok(Math.abs(inverseNormalCdf(0.975) - 1.959964) < 1e-5);
  assert.ok(Math.abs(inverseNormalCdf(0.5)) < 1e-12);
  assert.ok(Math.abs(inverseNormalCdf(0.001) + 3.090232) < 1e-5);
  assert.throws(() => inverseNormalCdf(1), /expected 0 < p < 1, got 1/);
});

Deno.test("seedFrom and hash32 separate their inputs", () => {
  assert.notEqual(seedFrom(1, "a"), seedFrom(1, "b"));
  assert.notEqual(seedFrom("ab", "c"), seedFrom("a", "bc"));
  assert.equal(seedFrom(3, "x"), seedFrom(3, "x"));
  assert.notEqual(hash32(0), hash32(1));
  assert.throws(() => new Rng(NaN), /finite seed/);
  assert.throws(() => new Rng(1).pick([]), /non-empty/);
});
