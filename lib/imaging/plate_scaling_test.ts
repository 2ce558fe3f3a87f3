import assert from "node:assert/strict";
import { IntensityHistogram } from "./normalize.ts";
import { choosePlateScalings, type PlateCells, scalingSummary } from "./plate_scaling.ts";

/** A histogram of `cells` cells of 100 pixels each, every channel at `value` (+ 0..99 for spread). */
function cells(count: number, value: number): IntensityHistogram {
  const h = new IntensityHistogram(16);
  const plane = Uint16Array.from({ length: 100 }, (_, i) => value + i);
  for (let k = 0; k < count; k++) h.add([plane, plane, plane], new Uint8Array(100).fill(1));
  return h;
}

function plate(
  name: string,
  batch: string,
  dmsoCells: number,
  dmsoValue: number,
  others: number,
): PlateCells {
  const all = cells(dmsoCells, dmsoValue);
  all.merge(cells(others, 20000));
  return { plate: name, batch, dmso: cells(dmsoCells, dmsoValue), dmsoCells, all, cells: dmsoCells + others };
}

Deno.test("choosePlateScalings: own DMSO ≥ N cells, else the batch's DMSO, else all the plate's cells", () => {
  const records = choosePlateScalings([
    plate("B", "Week1", 1, 9000, 5), // one DMSO cell: not its own scaling any more
    plate("A", "Week1", 8, 1000, 5),
    plate("C", "Week2", 3, 4000, 4),
    plate("D", "Week2", 0, 0, 6),
  ], { minControlCells: 8, lowQuantile: 0.001, highQuantile: 0.999 });
  assert.deepEqual(records.map((r) => [r.plate, r.source, r.cells, r.plateDmsoCells, r.pixels]), [
    ["A", "plate-dmso", 8, 8, 800],
    ["B", "batch-dmso", 9, 1, 900],
    ["C", "plate-all", 7, 3, 700],
    ["D", "plate-all", 6, 0, 600],
  ]);
  const [a, b, c, d] = records;
  // A: its own DMSO pixels 1000..1099 (histogram bins are 16 grey levels wide).
  assert.ok(Math.abs(a.lo[0] - 1000) <= 16 && Math.abs(a.hi[0] - 1100) <= 16, `${a.lo} ${a.hi}`);
  // B: the batch's 9 DMSO cells, 8 of them A's: lo from A's, hi from its own bright cell.
  assert.ok(Math.abs(b.lo[1] - 1000) <= 16 && Math.abs(b.hi[1] - 9100) <= 16, `${b.lo} ${b.hi}`);
  // C and D: their own cells, treated ones (20000) included.
  assert.ok(Math.abs(c.lo[2] - 4000) <= 16 && Math.abs(c.hi[2] - 20100) <= 16, `${c.lo} ${c.hi}`);
  assert.ok(Math.abs(d.lo[0] - 20000) <= 16, `${d.lo}`);
  assert.equal(
    scalingSummary(records, 8),
    "plate scaling of 4 plate(s): 1 from their own DMSO cells (≥ 8), 1 from their batch's DMSO cells, 2 from " +
      "all their cells (too few DMSO cells in plate and batch)",
  );
  // N = 1 is the old rule (any DMSO cell scales its plate).
  const one = choosePlateScalings([plate("B", "Week1", 1, 9000, 5)], {
    minControlCells: 1,
    lowQuantile: 0.001,
    highQuantile: 0.999,
  });
  assert.equal(one[0].source, "plate-dmso");
  assert.throws(
    () => choosePlateScalings([], { minControlCells: 0, lowQuantile: 0.001, highQuantile: 0.999 }),
    /expected a positive integer minControlCells, got 0/,
  );
});

Deno.test("choosePlateScalings level: batch skips a plate's own DMSO cells, global takes all plates'", () => {
  const plates = [
    plate("A", "Week1", 8, 1000, 5),
    plate("B", "Week1", 1, 9000, 5),
    plate("C", "Week2", 3, 4000, 4),
  ];
  const options = { minControlCells: 8, lowQuantile: 0.001, highQuantile: 0.999 };
  const batch = choosePlateScalings(plates, { ...options, level: "batch" });
  assert.deepEqual(batch.map((r) => [r.plate, r.source, r.cells]), [
    ["A", "batch-dmso", 9],
    ["B", "batch-dmso", 9],
    ["C", "plate-all", 7],
  ]);
  assert.deepEqual(batch[0].lo, batch[1].lo);
  const global = choosePlateScalings(plates, { ...options, level: "global" });
  assert.deepEqual(global.map((r) => [r.plate, r.source, r.cells]), [
    ["A", "global-dmso", 12],
    ["B", "global-dmso", 12],
    ["C", "global-dmso", 12],
  ]);
  assert.deepEqual(global[0].hi, global[2].hi);
  assert.match(scalingSummary(global, 8), /3 from the DMSO cells of all plates, 0 from all their cells/);
  // Too few DMSO cells in all: each plate's own cells.
  const few = choosePlateScalings(plates, { ...options, minControlCells: 20, level: "global" });
  assert.deepEqual(few.map((r) => r.source), ["plate-all", "plate-all", "plate-all"]);
  assert.throws(
    () => choosePlateScalings(plates, { ...options, level: "well" as "plate" }),
    /expected level/,
  );
});
