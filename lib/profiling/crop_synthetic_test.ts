import assert from "node:assert/strict";
import { drawCells, mulberry32, syntheticCropBatch } from "./crop_synthetic.ts";

Deno.test("crop synthetic: deterministic, right size, nucleus bright in DNA only", () => {
  const a = syntheticCropBatch(3, 32, 5), b = syntheticCropBatch(3, 32, 5);
  assert.equal(a.length, 3 * 32 * 32 * 3);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, syntheticCropBatch(3, 32, 6));
  const c = drawCells(20, [{ x: 10, y: 10, nucleus: 3, cell: 7 }], { noise: 0 });
  const px = (x: number, y: number, ch: number) => c[(y * 20 + x) * 3 + ch];
  assert.ok(Math.abs(px(10, 10, 0) - 0.8) < 1e-6);
  assert.ok(Math.abs(px(0, 0, 0) - 0.02) < 1e-6);
  assert.ok(px(15, 10, 1) > 0.2 && px(15, 10, 0) < 0.03);
  const r = mulberry32(1);
  assert.ok(r() >= 0 && r() < 1);
});
