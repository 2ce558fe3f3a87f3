import assert from "node:assert/strict";
import { decode } from "fast-png";
import { imageGrid, imageGridPng } from "./image_grid.ts";

Deno.test("imageGrid places tiles row-major, maps [-1,1] to bytes and channels to RGB", () => {
  const size = 2;
  const n = 3;
  const data = new Float32Array(n * size * size * 3);
  // Tile 0 all red (DNA = 1, others −1), tile 1 all green, tile 2 mid grey (0 → 128).
  for (let i = 0; i < size * size; i++) {
    data.set([1, -1, -1], (0 * size * size + i) * 3);
    data.set([-1, 1, -1], (1 * size * size + i) * 3);
    data.set([0, 0, 0], (2 * size * size + i) * 3);
  }
  const img = imageGrid(data, n, size, { columns: 2, gap: 1, scale: 2, background: 7 });
  assert.equal(img.width, 2 * 4 + 3);
  assert.equal(img.height, 2 * 4 + 3);
  const px = (
    x: number,
    y: number,
  ) => [...img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];
  assert.deepEqual(px(0, 0), [7, 7, 7]); // gap
  assert.deepEqual(px(1, 1), [255, 0, 0]); // tile 0
  assert.deepEqual(px(4, 4), [255, 0, 0]); // tile 0, scaled to 4×4
  assert.deepEqual(px(6, 1), [0, 255, 0]); // tile 1, second column
  assert.deepEqual(px(1, 6), [128, 128, 128]); // tile 2, second row
  assert.deepEqual(px(6, 6), [7, 7, 7]); // empty cell of the grid
});

Deno.test("imageGridPng decodes back to the grid; wrong sizes are refused", () => {
  const data = new Float32Array(4 * 8 * 8 * 3).map((_, i) => Math.sin(i));
  const png = decode(imageGridPng(data, 4, 8));
  const grid = imageGrid(data, 4, 8);
  assert.equal(png.width, grid.width);
  assert.deepEqual(new Uint8Array(png.data), grid.data);
  assert.throws(() => imageGrid(data, 5, 8), /expected 5×8×8×3 = 960 values, got 768/);
});
