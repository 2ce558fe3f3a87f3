import assert from "node:assert/strict";
import { decode } from "fast-png";
import { encodeRgbPng, outlineOverlay } from "./overlay.ts";

Deno.test("outlineOverlay draws label outlines in colour over the grey image", () => {
  const w = 8, h = 8;
  const gray = Uint16Array.from({ length: w * h }, (_, i) => i);
  const labels = new Int32Array(w * h);
  for (let y = 2; y < 6; y++) for (let x = 2; x < 6; x++) labels[y * w + x] = 1;
  const rgb = outlineOverlay(gray, w, h, [{ labels, color: [255, 0, 0] }]);
  assert.deepEqual([...rgb.subarray((2 * w + 2) * 3, (2 * w + 2) * 3 + 3)], [255, 0, 0]);
  const c = (3 * w + 3) * 3;
  assert.equal(rgb[c], rgb[c + 1], "interior stays grey");
  const png = decode(encodeRgbPng(rgb, w, h));
  assert.deepEqual([png.width, png.height, png.channels], [8, 8, 3]);
});
