import assert from "node:assert/strict";
import { cosineSimilarityMatrix } from "./cosine.ts";
import { assertClose } from "./test_util.ts";

Deno.test("cosineSimilarityMatrix: scale-invariant, symmetric, zero rows give 0", () => {
  const s = cosineSimilarityMatrix(Float64Array.from([1, 0, 3, 3, 0, 0, 0, -2]), 2);
  assertClose(s[0 * 4 + 1], Math.SQRT1_2, 1e-12);
  assertClose(s[1 * 4 + 0], Math.SQRT1_2, 1e-12);
  assertClose(s[0], 1, 1e-12);
  assert.equal(s[2 * 4 + 0], 0);
  assert.equal(s[2 * 4 + 2], 0);
  assertClose(s[1 * 4 + 3], -Math.SQRT1_2, 1e-12);
  assert.throws(
    () => cosineSimilarityMatrix(new Float64Array(3), 2),
    /expected length a multiple of d = 2, got 3/,
  );
});
