import assert from "node:assert/strict";
import { hMaxima, reconstructByDilation, regionalMaxima } from "./morphology.ts";
import { labelComponents } from "./labels.ts";

Deno.test("reconstructByDilation fills up to the mask from the marker's basin", () => {
  const mask = Float32Array.from([1, 5, 5, 1, 4, 4]);
  const marker = Float32Array.from([0, 3, 0, 0, 0, 0]);
  assert.deepEqual([...reconstructByDilation(marker, mask, 6, 1)], [1, 3, 3, 1, 1, 1]);
});

Deno.test("hMaxima: one marker per significant peak, twin equal peaks merged", () => {
  const twin = Float32Array.from([0, 3, 5, 4.5, 5, 3, 0, 2, 6, 2, 0]);
  const m = hMaxima(twin, 11, 1, 1);
  assert.equal(labelComponents(m, 11, 1).count, 2, "5/4.5/5 is one peak at h=1, 6 another");
  assert.equal(labelComponents(hMaxima(twin, 11, 1, 0.2), 11, 1).count, 3);
  assert.equal(labelComponents(regionalMaxima(twin, 11, 1), 11, 1).count, 3);
});
