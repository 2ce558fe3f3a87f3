import assert from "node:assert/strict";
import { tableFromJson, tableToJson } from "./table_io.ts";

Deno.test("profile tables round-trip through JSON, NaN included; bad tables name the file", () => {
  const row = { plate: "P", well: "B02", batch: "Week1", compound: "DMSO", concentration: 0, moa: null };
  const table = {
    features: ["a", "b"],
    rows: [row, { ...row, well: "B03" }],
    data: new Float64Array([1.5, NaN, 1 / 3, -2]),
  };
  const back = tableFromJson(tableToJson(table));
  assert.deepEqual(back.rows, table.rows);
  assert.deepEqual([...back.data].map(String), [...table.data].map(String));
  assert.throws(() => tableFromJson("{", "x.json"), /Cannot read profile table 'x.json'/);
  assert.throws(
    () => tableFromJson(JSON.stringify({ features: ["a"], rows: [row], data: [1, 2] }), "y.json"),
    /Cannot read profile table 'y.json': .*expected data of length rows × features = 1 × 1 = 1, got 2/,
  );
});
