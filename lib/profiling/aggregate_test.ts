import assert from "node:assert/strict";
import { aggregate, type AggregateMethod } from "./aggregate.ts";
import { row, table } from "./test_util.ts";

const cells = table(
  ["f", "g"],
  [[1, 10], [3, NaN], [8, 30], [100, 0], [2, 2], [4, 4], [9, 9]],
  [
    row({ plate: "P2", well: "B02", batch: "W2", compound: "x", concentration: 1, moa: "M" }),
    row({ plate: "P2", well: "B02", batch: "W2", compound: "x", concentration: 1, moa: "M" }),
    row({ plate: "P2", well: "B02", batch: "W2", compound: "x", concentration: 1, moa: "M" }),
    row({ plate: "P1", well: "C03", batch: "W1", compound: "x", concentration: 1, moa: null }),
    row({ plate: "P1", well: "A01", batch: "W1", compound: "DMSO", concentration: 0, moa: null }),
    row({ plate: "P1", well: "A01", batch: "W1", compound: "DMSO", concentration: 0, moa: null }),
    row({ plate: "P1", well: "A02", batch: "W1", compound: "x", concentration: 3, moa: "M" }),
  ],
);

Deno.test("aggregate per well: mean skips NaN, groups sorted by plate then well", () => {
  const w = aggregate(cells, { by: "well" });
  assert.deepEqual(w.rows.map((r) => `${r.plate}/${r.well}`), ["P1/A01", "P1/A02", "P1/C03", "P2/B02"]);
  assert.deepEqual(w.rows.map((r) => r.count), [2, 1, 1, 3]);
  // P2/B02: f = (1+3+8)/3 = 4; g = (10+30)/2 = 20 (NaN skipped)
  assert.deepEqual([...w.data.slice(6, 8)], [4, 20]);
  assert.deepEqual([...w.data.slice(0, 2)], [3, 3]);
  assert.equal(w.rows[3].moa, "M");
});

Deno.test("aggregate per treatment: median, members' plates/batches/wells united", () => {
  const t = aggregate(cells, { by: "treatment", method: "median" });
  assert.deepEqual(t.rows.map((r) => `${r.compound}@${r.concentration}`), ["DMSO@0", "x@1", "x@3"]);
  const x1 = t.rows[1];
  assert.deepEqual(x1.plates, ["P1", "P2"]);
  assert.deepEqual(x1.batches, ["W1", "W2"]);
  assert.equal(x1.batch, "W1|W2");
  assert.deepEqual(x1.wells, ["P1/C03", "P2/B02"]);
  assert.equal(x1.count, 4);
  assert.equal(x1.moa, "M"); // null members do not override the known MOA
  // f over x@1 cells: 1, 3, 8, 100 → median 5.5; g: 10, NaN, 30, 0 → 10
  assert.deepEqual([...t.data.slice(2, 4)], [5.5, 10]);
});

Deno.test("aggregate twice: cells → wells (mean) → treatments (median) keeps provenance", () => {
  const w = aggregate(cells, { by: "well" });
  const t = aggregate(w, { by: "treatment", method: "median" });
  const x1 = t.rows.find((r) => r.compound === "x" && r.concentration === 1)!;
  assert.equal(x1.count, 2); // two wells
  assert.deepEqual(x1.wells, ["P1/C03", "P2/B02"]);
  // f: well means 100 and 4 → median 52
  assert.equal(t.data[t.rows.indexOf(x1) * 2], 52);
});

Deno.test("aggregate rejects mixed MOAs, unknown options and bad shapes", () => {
  const bad = table(["f"], [[1], [2]], [
    row({ compound: "x", moa: "A" }),
    row({ compound: "x", moa: "B" }),
  ]);
  assert.throws(() => aggregate(bad, { by: "treatment" }), /mixes mechanisms of action "A" and "B"/);
  assert.throws(
    () => aggregate(bad, { by: "well", method: "max" as AggregateMethod }),
    /expected method "mean" or "median", got "max"/,
  );
  assert.throws(
    () => aggregate({ features: ["f", "g"], data: new Float64Array(3), rows: [row({})] }, { by: "well" }),
    /expected data of length rows × features = 1 × 2 = 2, got 3/,
  );
});
