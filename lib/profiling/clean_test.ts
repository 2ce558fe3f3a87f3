import assert from "node:assert/strict";
import { dropInvalidFeatures, selectColumns } from "./clean.ts";
import { row, table } from "./test_util.ts";

Deno.test("dropInvalidFeatures drops NaN/infinite and constant columns with warnings", () => {
  const t = table(
    ["ok", "nan", "const", "inf", "ok2"],
    [[1, NaN, 5, 1, 0], [2, 1, 5, Infinity, 1], [3, 2, 5, 2, 0]],
    [row({}), row({}), row({})],
  );
  const r = dropInvalidFeatures(t, "wells.csv");
  assert.deepEqual(r.table.features, ["ok", "ok2"]);
  assert.deepEqual([...r.table.data], [1, 0, 2, 1, 3, 0]);
  assert.deepEqual(r.nonFinite, ["nan", "inf"]);
  assert.deepEqual(r.constant, ["const"]);
  assert.equal(r.warnings.length, 2);
  assert.match(
    r.warnings[0],
    /wells\.csv: dropped 2 feature column\(s\) with NaN or infinite values .*: nan, inf/,
  );
  assert.match(r.warnings[1], /wells\.csv: dropped 1 constant feature column\(s\): const/);
});

Deno.test("dropInvalidFeatures returns the same table when all columns are usable, throws when none is", () => {
  const t = table(["a"], [[1], [2]], [row({}), row({})]);
  const r = dropInvalidFeatures(t);
  assert.equal(r.table, t);
  assert.deepEqual(r.warnings, []);
  assert.throws(
    () => dropInvalidFeatures(table(["a"], [[1], [1]], [row({}), row({})]), "x.csv"),
    /x\.csv: no usable feature column left/,
  );
});

Deno.test("selectColumns keeps Float32Array and validates indices", () => {
  const t = { features: ["a", "b"], data: Float32Array.from([1, 2, 3, 4]), rows: [row({}), row({})] };
  const s = selectColumns(t, [1]);
  assert.ok(s.data instanceof Float32Array);
  assert.deepEqual([...s.data], [2, 4]);
  assert.throws(() => selectColumns(t, [2]), /expected column indices in \[0, 2\), got 2/);
});
