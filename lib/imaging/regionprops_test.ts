import assert from "node:assert/strict";
import { regionProps } from "./regionprops.ts";

Deno.test("regionProps: area, centroid, bbox, axes of an axis-aligned ellipse", () => {
  const w = 80, h = 50, a = 20, b = 10;
  const labels = new Int32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) if (((x - 40) / a) ** 2 + ((y - 25) / b) ** 2 <= 1) labels[y * w + x] = 1;
  }
  const [p] = regionProps(labels, 1, w, h);
  assert.ok(Math.abs(p.area - Math.PI * a * b) / (Math.PI * a * b) < 0.03);
  assert.ok(Math.abs(p.centroidX - 40) < 1e-9 && Math.abs(p.centroidY - 25) < 1e-9);
  assert.deepEqual(p.bbox, { x0: 20, y0: 15, x1: 61, y1: 36 });
  assert.ok(
    Math.abs(p.majorAxis - 2 * a) < 1.5 && Math.abs(p.minorAxis - 2 * b) < 1.5,
    `${p.majorAxis} ${p.minorAxis}`,
  );
  assert.ok(Math.abs(p.eccentricity - Math.sqrt(1 - (b / a) ** 2)) < 0.02);
  assert.ok(Math.abs(p.orientation) < 1e-6);
  assert.ok(p.solidity > 0.93 && p.solidity <= 1, `solidity ${p.solidity}`);
});

Deno.test("regionProps: a square is fully solid, an L is not; missing labels get area 0", () => {
  const w = 20, h = 20;
  const labels = new Int32Array(w * h);
  for (let y = 2; y < 8; y++) for (let x = 2; x < 8; x++) labels[y * w + x] = 1;
  for (let y = 10; y < 18; y++) for (let x = 10; x < 18; x++) if (x < 12 || y >= 16) labels[y * w + x] = 3;
  const p = regionProps(labels, 3, w, h);
  assert.equal(p[0].solidity, 1);
  assert.equal(p[0].eccentricity, 0);
  assert.equal(p[1].area, 0);
  assert.ok(p[2].solidity < 0.7);
});
