import assert from "node:assert/strict";
import { cropWindow, extractCrops } from "./crops.ts";

Deno.test("cropWindow centres on the rounded centroid and rejects windows leaving the image", () => {
  assert.deepEqual(cropWindow(10.4, 10.6, 8, 32, 32), { x0: 6, y0: 7 });
  assert.equal(cropWindow(3, 16, 8, 32, 32), null);
  assert.equal(cropWindow(28.5, 16, 8, 32, 32), null, "x0 25 + 8 > 32");
  assert.deepEqual(cropWindow(4, 4, 8, 32, 32), { x0: 0, y0: 0 });
});

Deno.test("extractCrops: NHWC channel order DNA, tubulin, actin; drops edge cells; masks outside the cell", () => {
  const w = 16, h = 16;
  const ch = [0, 1, 2].map((c) => Uint16Array.from({ length: w * h }, (_, i) => 1000 * (c + 1) + i)) as [
    Uint16Array,
    Uint16Array,
    Uint16Array,
  ];
  const cells = new Int32Array(w * h);
  for (let y = 6; y < 10; y++) for (let x = 6; x < 10; x++) cells[y * w + x] = 1;
  const centres = [{ label: 1, x: 8, y: 8 }, { label: 2, x: 1, y: 1 }];
  const { crops, index } = extractCrops(ch, w, h, centres, cells, { size: 6 });
  assert.deepEqual(index, [0, -1]);
  assert.equal(crops.count, 1);
  assert.equal(crops.data.length, 6 * 6 * 3);
  const at = (y: number, x: number, c: number) => crops.data[(y * 6 + x) * 3 + c];
  assert.deepEqual([at(0, 0, 0), at(0, 0, 1), at(0, 0, 2)], [
    1000 + 5 * w + 5,
    2000 + 5 * w + 5,
    3000 + 5 * w + 5,
  ]);
  const masked = extractCrops(ch, w, h, centres, cells, { size: 6, maskOutsideCell: true }).crops;
  assert.equal(masked.data[0], 0, "outside the cell");
  assert.equal(masked.data[(1 * 6 + 1) * 3], 1000 + 6 * w + 6, "inside the cell");
  assert.throws(
    () => extractCrops(ch, w, h, centres, null, { maskOutsideCell: true }),
    /needs the cell label image/,
  );
});
