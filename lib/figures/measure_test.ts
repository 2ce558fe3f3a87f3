import assert from "node:assert/strict";
import { ATTRIBUTES, measureAll, nucleusArea, tubulinContent } from "./measure.ts";
import { drawCell } from "./test_util.ts";

Deno.test("nucleusArea measures a DNA disk; tubulinContent the mean tubulin intensity", () => {
  const size = 32;
  const images = new Float32Array(3 * size * size * 3);
  const radii = [3, 5, 8];
  radii.forEach((radius, k) => drawCell(images, k, size, { radius, tubulin: 0.2 * (k + 1) }));
  const areas = radii.map((_, k) => nucleusArea(images, k, size));
  radii.forEach((r, k) => {
    const expected = Math.PI * r * r;
    assert.ok(
      Math.abs(areas[k] - expected) / expected < 0.25,
      `radius ${r}: area ${areas[k]} vs ${expected}`,
    );
  });
  const t = [0, 1, 2].map((k) => tubulinContent(images, k, size));
  assert.ok(t[0] < t[1] && t[1] < t[2]);
  assert.ok(t.every((v) => v >= 0 && v <= 1));
  const all = measureAll(ATTRIBUTES[0], images, 3, size);
  assert.deepEqual([...all], areas);
  assert.throws(() => measureAll(ATTRIBUTES[0], images, 4, size), /expected 4×32×32×3/);
});

Deno.test("nucleusArea of a blank crop is 0", () => {
  const size = 16;
  assert.equal(nucleusArea(new Float32Array(size * size * 3).fill(-1), 0, size), 0);
});
