import assert from "node:assert/strict";
import { correctIllumination, IlluminationAccumulator, illuminationFunction } from "./illumination.ts";
import { Rng } from "../data/rng.ts";

Deno.test("illumination correction flattens a vignetted plate and keeps the function ≥ 1", () => {
  const w = 256, h = 192;
  const rng = new Rng(3);
  const vignette = (x: number, y: number) => 1 - 0.5 * (((x - w / 2) / w) ** 2 + ((y - h / 2) / h) ** 2) * 2;
  const acc = new IlluminationAccumulator(w, h, 1);
  const fields: Float32Array[] = [];
  for (let k = 0; k < 12; k++) {
    const f = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const blob = rng.uniform() < 0.02 ? 400 : 0; // sparse "cells"
        f[y * w + x] = (1000 + blob + rng.normal() * 20) * vignette(x, y);
      }
    }
    acc.add([f]);
    fields.push(f);
  }
  const illum = illuminationFunction(acc.mean(0), w, h);
  assert.ok(illum.every((v) => v >= 1));
  // Away from the edges (where the heavy smoothing flattens the function) it follows the vignette.
  const ratio = illum[(h >> 1) * w + (w >> 1)] / illum[40 * w + 40];
  const truth = vignette(w / 2, h / 2) / vignette(40, 40);
  assert.ok(Math.abs(ratio - truth) < 0.05, `centre/(40,40) ${ratio} vs ${truth}`);
  const corrected = correctIllumination(fields[0], illum);
  const mean = (a: Float32Array, x0: number, y0: number) => {
    let s = 0;
    for (let y = y0; y < y0 + 16; y++) for (let x = x0; x < x0 + 16; x++) s += a[y * w + x];
    return s / 256;
  };
  const before = mean(fields[0], 120, 88) / mean(fields[0], 4, 4);
  const after = mean(corrected, 120, 88) / mean(corrected, 4, 4);
  assert.ok(before > 1.6 && after < 1.1, `centre/corner before ${before}, after ${after}`);
});

Deno.test("illuminationFunction of a constant image is all ones; the accumulator checks sizes", () => {
  assert.ok(illuminationFunction(new Float32Array(64 * 64).fill(9), 64, 64).every((v) => v === 1));
  const acc = new IlluminationAccumulator(4, 4, 1);
  assert.throws(() => acc.add([new Float32Array(3)]), /expected 4×4 = 16 pixels, got 3/);
  assert.throws(() => acc.mean(0), /no field was added/);
});
