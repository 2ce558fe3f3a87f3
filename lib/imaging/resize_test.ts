import assert from "node:assert/strict";
import { resizeCrops } from "./resize.ts";

Deno.test("resizeCrops: 2× downscaling is a 2×2 box mean per channel", () => {
  const from = 4, to = 2;
  const data = new Float32Array(from * from * 3).map((_, i) => i);
  const out = resizeCrops(data, 1, from, to);
  const at = (x: number, y: number, c: number) => data[(y * from + x) * 3 + c];
  for (let oy = 0; oy < to; oy++) {
    for (let ox = 0; ox < to; ox++) {
      for (let c = 0; c < 3; c++) {
        const mean = (at(2 * ox, 2 * oy, c) + at(2 * ox + 1, 2 * oy, c) + at(2 * ox, 2 * oy + 1, c) +
          at(2 * ox + 1, 2 * oy + 1, c)) / 4;
        assert.ok(Math.abs(out[(oy * to + ox) * 3 + c] - mean) < 1e-4);
      }
    }
  }
});

Deno.test("resizeCrops keeps constants and the mean, for fractional factors and several crops", () => {
  const n = 2, from = 68, to = 32;
  const data = new Float32Array(n * from * from * 3);
  for (let i = 0; i < data.length; i++) data[i] = i < from * from * 3 ? 7 : (i % 97) / 10;
  const out = resizeCrops(data, n, from, to);
  for (let i = 0; i < to * to * 3; i++) assert.ok(Math.abs(out[i] - 7) < 1e-4);
  const mean = (a: ArrayLike<number>, lo: number, hi: number) => {
    let s = 0;
    for (let i = lo; i < hi; i++) s += a[i];
    return s / (hi - lo);
  };
  const inMean = mean(data, from * from * 3, data.length);
  const outMean = mean(out, to * to * 3, out.length);
  assert.ok(Math.abs(inMean - outMean) < 1e-3, `${inMean} vs ${outMean}`);
  assert.deepEqual(resizeCrops(data, n, from, from), Float32Array.from(data));
  assert.throws(() => resizeCrops(data, 3, from, to), /expected 41616 values for 3 crops of 68², got 27744/);
});
