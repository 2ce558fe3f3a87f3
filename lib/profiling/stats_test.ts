import assert from "node:assert/strict";
import { mad, median, medianInPlace } from "./stats.ts";

Deno.test("median of odd and even counts, NaN skipped", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([NaN, 5, 1]), 3);
  assert.ok(Number.isNaN(median([NaN])));
  assert.ok(Number.isNaN(median([])));
});

Deno.test("medianInPlace uses only the leading entries", () => {
  assert.equal(medianInPlace(Float64Array.from([9, 1, 100, -100]), 2), 5);
});

Deno.test("mad is the unscaled median absolute deviation", () => {
  // median 2.5; |dev| = 1.5, .5, .5, 7.5 → median 1
  assert.equal(mad([1, 2, 3, 10]), 1);
  assert.equal(mad([0, 0, 4]), 0);
});
