import assert from "node:assert/strict";
import { fillHoles, labelComponents, outlines, relabelSequential, removeSmallObjects } from "./labels.ts";

const grid = (rows: string[]) => ({
  w: rows[0].length,
  h: rows.length,
  m: Uint8Array.from(rows.join("").split(""), (c) => (c === "#" ? 1 : 0)),
});

Deno.test("labelComponents: 8- vs 4-connectivity, raster order, U shapes merged", () => {
  const { w, h, m } = grid([
    "#..#.##",
    ".#.#..#",
    "...####",
    "##.....",
  ]);
  assert.equal(labelComponents(m, w, h, 8).count, 3);
  const l4 = labelComponents(m, w, h, 4);
  assert.equal(l4.count, 4);
  assert.equal(l4.labels[0], 1);
  assert.equal(l4.labels[3], 2);
  assert.equal(l4.labels[3], l4.labels[5], "the U merges into one label");
});

Deno.test("fillHoles fills enclosed background only", () => {
  const { w, h, m } = grid([
    ".....",
    ".###.",
    ".#.#.",
    ".###.",
    "..#..",
    ".#.#.",
  ]);
  const f = fillHoles(m, w, h);
  assert.equal(f[2 * w + 2], 1, "hole filled");
  assert.equal(f[5 * w + 2], 0, "open gap at the border stays");
  assert.equal(f[0], 0);
});

Deno.test("removeSmallObjects drops small components and renumbers; relabel and outlines", () => {
  const { w, h, m } = grid([
    "##...#",
    "##....",
    "....##",
  ]);
  const l = labelComponents(m, w, h);
  const r = removeSmallObjects(l, 2);
  assert.equal(r.count, 2);
  assert.deepEqual([...new Set(r.labels)].sort(), [0, 1, 2]);
  const gaps = Int32Array.from([0, 5, 5, 9]);
  assert.deepEqual([...relabelSequential(gaps, 4, 1).labels], [0, 1, 1, 2]);
  const sq = new Int32Array(25);
  for (let y = 1; y < 4; y++) for (let x = 1; x < 4; x++) sq[y * 5 + x] = 1;
  const o = outlines(sq, 5, 5);
  assert.equal(o.reduce((a, b) => a + b, 0), 8, "3×3 square: 8 edge pixels, centre not");
});
