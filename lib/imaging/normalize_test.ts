import assert from "node:assert/strict";
import { IntensityHistogram, normalizeCropMax, normalizePlatePercentile, plateScaling } from "./normalize.ts";

Deno.test("normalizeCropMax maps each crop's channel max to 1 and 0 to -1", () => {
  // One 2×2 crop, pixels [DNA, tubulin, actin].
  const data = Uint16Array.from([0, 10, 100, 100, 20, 200, 50, 0, 0, 25, 5, 50]);
  const out = [...normalizeCropMax(data, 1, 2)].map((v) => +v.toFixed(4));
  assert.deepEqual(out, [-1, 0, 0, 1, 1, 1, 0, -1, -1, -0.5, -0.5, -0.5]);
  const zero = normalizeCropMax(new Uint16Array(12), 1, 2);
  assert.ok(zero.every((v) => v === -1), "an empty channel maps to -1");
  assert.throws(() => normalizeCropMax(data, 2, 2), /expected 24 values for 2 crops of 2², got 12/);
});

Deno.test("plate-percentile scaling keeps brightness differences between crops", () => {
  const h = new IntensityHistogram(16);
  const ch = [0, 1, 2].map(() => Uint16Array.from({ length: 10000 }, (_, i) => 1000 + i));
  h.add(ch, new Uint8Array(10000).fill(1));
  const s = plateScaling(null, h);
  assert.equal(s.source, "all");
  assert.ok(Math.abs(s.lo[0] - 1010) < 20 && Math.abs(s.hi[0] - 10990) < 20, `${s.lo} ${s.hi}`);
  const dim = normalizePlatePercentile(Uint16Array.from([3000, 3000, 3000]), s);
  const bright = normalizePlatePercentile(Uint16Array.from([9000, 9000, 9000]), s);
  assert.ok(bright[0] > dim[0] + 1);
  assert.equal(normalizePlatePercentile(Uint16Array.from([0, 65535, 0]), s)[1], 1, "clamped");
});
