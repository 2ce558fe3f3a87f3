import assert from "node:assert/strict";
import {
  correlationMatrix,
  correlationThreshold,
  dropOutliers,
  featureSelect,
  frequencyThreshold,
  varianceThreshold,
} from "./feature_select.ts";
import { NotApplicableError } from "./not_applicable.ts";
import { assertClose, row, table } from "./test_util.ts";

function columns(names: string[], cols: number[][]) {
  const n = cols[0].length;
  const values = Array.from({ length: n }, (_, i) => cols.map((c) => c[i]));
  return table(names, values, Array.from({ length: n }, () => row({})));
}

// a and b correlate at 12 / √(10 · 14.8) = 0.9864; c is orthogonal to a and
// correlates with b at −1 / √(14.8 · 10) = −0.0822; d = −a.
const a = [1, 2, 3, 4, 5], b = [1, 2, 3, 4, 6], c = [1, -2, 0, 2, -1], d = [-1, -2, -3, -4, -5];

Deno.test("correlationMatrix matches hand-computed Pearson correlations", () => {
  const r = correlationMatrix(columns(["a", "b", "c"], [a, b, c]));
  assertClose(r[1], 12 / Math.sqrt(148), 1e-12, "r(a, b)");
  assertClose(r[2], 0, 1e-12, "r(a, c)");
  assertClose(r[5], -1 / Math.sqrt(148), 1e-12, "r(b, c)");
  assert.equal(r[0], 1);
});

Deno.test("correlationThreshold drops the pair member with the larger absolute correlation sum", () => {
  // sums of |r| (diagonal included): a = 1 + .9864 + 0 + 1 = 2.986; b = 1 + .9864 + .0822 + .9864 = 3.055;
  // c = 1.082; d = 2.986. Ranked ascending: c, a, d, b (a before d: column order breaks the tie).
  // Pairs above 0.9: only (a, b) (r(a, d) = −1 is not > 0.9, as pycytominer) → b, ranked later, goes.
  assert.deepEqual(correlationThreshold(columns(["a", "b", "c", "d"], [a, b, c, d])), ["b"]);
  assert.deepEqual(correlationThreshold(columns(["a", "b", "c"], [a, b, c]), 0.99), []);
  assert.throws(() => correlationThreshold(columns(["a"], [a]), 2), /expected threshold in \[0, 1\], got 2/);
});

Deno.test("varianceThreshold uses the population variance", () => {
  // tiny: values 0, 0.002 → mean 0.001, var = 1e-6 → not < 1e-6, kept; tinier: var 2.5e-7 → dropped
  const t = columns(["tiny", "tinier", "a"], [[0, 0.002, 0, 0.002], [0, 0.001, 0, 0.001], [1, 2, 3, 4]]);
  assert.deepEqual(varianceThreshold(t), ["tinier"]);
});

Deno.test("frequencyThreshold: second/most common < freqCut or distinct/rows < uniqueCut", () => {
  const zeros = (k: number) => new Array(k).fill(0);
  const g = [...zeros(24), 1]; // 1 / 24 = 0.042 < 0.05 → dropped
  const h = [...zeros(23), 1, 1]; // 2 / 23 = 0.087 → kept by freq; 2 distinct / 25 rows = 0.08
  const k = Array.from({ length: 25 }, (_, i) => i); // all distinct
  const t = columns(["g", "h", "k", "const"], [g, h, k, zeros(25)]);
  assert.deepEqual(frequencyThreshold(t), ["g", "const"]);
  assert.deepEqual(frequencyThreshold(t, 0.05, 0.2), ["g", "h", "const"]);
});

Deno.test("dropOutliers drops features with |x| > 500", () => {
  const t = columns(["ok", "hi", "lo"], [[500, -500], [1, 501], [-600, 0]]);
  assert.deepEqual(dropOutliers(t), ["hi", "lo"]);
});

Deno.test("featureSelect drops the union of the operations' exclusions", () => {
  const t = columns(["a", "b", "c", "big"], [a, b, c, [0, 1000, 2, 3, 7]]);
  const r = featureSelect(t);
  assert.deepEqual(r.table.features, ["a", "c"]);
  assert.deepEqual(r.excluded.drop_outliers, ["big"]);
  assert.deepEqual(r.excluded.correlation_threshold, ["b"]);
  assert.deepEqual([...r.table.data.slice(0, 2)], [1, 1]);
  assert.throws(
    () => featureSelect(columns(["b"], [[3, 3, 3]])),
    (e) =>
      e instanceof NotApplicableError &&
      /every one of the 1 features was excluded \(variance_threshold 1, frequency_threshold 1; expected/.test(
        e.message,
      ),
  );
});
