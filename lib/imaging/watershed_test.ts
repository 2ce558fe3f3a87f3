import assert from "node:assert/strict";
import { watershed } from "./watershed.ts";

Deno.test("watershed splits at the ridge between two basins and respects the mask", () => {
  const img = Float32Array.from([0, 1, 2, 3, 9, 3, 2, 1, 0]);
  const markers = Int32Array.from([1, 0, 0, 0, 0, 0, 0, 0, 2]);
  const r0 = watershed(img, markers, 9, 1);
  assert.deepEqual([...r0.subarray(0, 4)], [1, 1, 1, 1]);
  assert.deepEqual([...r0.subarray(5)], [2, 2, 2, 2]);
  assert.ok(r0[4] === 1 || r0[4] === 2, "the ridge pixel goes to one side");
  const mask = Uint8Array.from([1, 1, 0, 1, 1, 1, 1, 1, 1]);
  const r = watershed(img, markers, 9, 1, { mask });
  assert.deepEqual([r[0], r[1], r[2], r[3]], [1, 1, 0, 2], "pixels behind the gap go to the other marker");
});

Deno.test("watershed floods a plateau half-way between markers (2-D, 4-connected)", () => {
  const w = 10, h = 3;
  const img = new Float32Array(w * h);
  const markers = new Int32Array(w * h);
  markers[w] = 1;
  markers[w + 9] = 2;
  const r = watershed(img, markers, w, h);
  const row = [...r.subarray(w, 2 * w)];
  assert.deepEqual(row, [1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
});
