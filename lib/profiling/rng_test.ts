import assert from "node:assert/strict";
import { mulberry32, randomInt } from "./rng.ts";

Deno.test("mulberry32 is deterministic per seed and differs across seeds", () => {
  const a = mulberry32(42), b = mulberry32(42), c = mulberry32(43);
  const xa = Array.from({ length: 5 }, a),
    xb = Array.from({ length: 5 }, b),
    xc = Array.from({ length: 5 }, c);
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

Deno.test("mulberry32 is roughly uniform in [0, 1)", () => {
  const r = mulberry32(1);
  const bins = new Array(10).fill(0);
  for (let i = 0; i < 100000; i++) {
    const v = r();
    assert.ok(v >= 0 && v < 1);
    bins[Math.floor(v * 10)]++;
  }
  for (const b of bins) assert.ok(Math.abs(b - 10000) < 500, `bin count ${b}`);
  const k = randomInt(r, 3);
  assert.ok(k === 0 || k === 1 || k === 2);
});
