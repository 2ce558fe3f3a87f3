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
