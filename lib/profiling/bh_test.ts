import assert from "node:assert/strict";
import { benjaminiHochberg } from "./bh.ts";
import { assertClose } from "./test_util.ts";

Deno.test("benjaminiHochberg by hand", () => {
  // sorted 0.005, 0.01, 0.03, 0.04 (m = 4): ×4/1, ×4/2, ×4/3, ×4/4 = .02, .02, .04, .04 (already monotone)
  const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.005]);
  [0.02, 0.04, 0.04, 0.02].forEach((v, i) => assertClose(q[i], v, 1e-12, `q[${i}]`));
  // sorted .04, .05: .04·2/1 = .08, .05·2/2 = .05 → running minimum from the top: .05, .05
  const r = benjaminiHochberg([0.05, 0.04]);
  [0.05, 0.05].forEach((v, i) => assertClose(r[i], v, 1e-12));
  // capped at 1, NaN passes through and does not count
  const s = benjaminiHochberg([0.9, NaN, 0.8]);
  assertClose(s[0], 0.9, 1e-12);
  assert.ok(Number.isNaN(s[1]));
  assertClose(s[2], 0.9, 1e-12);
  assert.deepEqual(benjaminiHochberg([1, 1]), [1, 1]);
  assert.throws(() => benjaminiHochberg([1.5]), /expected p-values in \[0, 1\], got 1\.5/);
});
