import assert from "node:assert/strict";
import { matchObjects, splitComponents } from "./match.ts";

Deno.test("matchObjects counts TP/FP/FN at IoU 0.5", () => {
  // truth: objects 1 (4 px), 2 (4 px); prediction: 7 matches 1 exactly, 8 overlaps 2 by 1 px, 9 is extra.
  const truth = Int32Array.from([1, 1, 1, 1, 2, 2, 2, 2, 0, 0]);
  const pred = Int32Array.from([7, 7, 7, 7, 8, 0, 0, 0, 9, 9]);
  const m = matchObjects(pred, truth);
  assert.equal(m.truePositives, 1);
  assert.equal(m.falsePositives, 2);
  assert.equal(m.falseNegatives, 1);
  assert.ok(Math.abs(m.precision - 1 / 3) < 1e-12 && Math.abs(m.recall - 0.5) < 1e-12);
  assert.ok(Math.abs(m.f1 - 0.4) < 1e-12);
  assert.equal(m.meanIoU, 1);
});

Deno.test("matchObjects ignores small truth objects and the predictions on them", () => {
  const truth = Int32Array.from([1, 1, 1, 1, 0, 5]);
  const pred = Int32Array.from([2, 2, 2, 2, 0, 3]);
  const m = matchObjects(pred, truth, { minTruthArea: 2 });
  assert.deepEqual([m.truth, m.predicted, m.f1], [1, 1, 1]);
  assert.throws(() => matchObjects(pred, truth, { iou: 0.3 }), /IoU threshold ≥ 0.5/);
});

Deno.test("splitComponents gives each blob of a shared label its own id", () => {
  const l = Int32Array.from([4, 4, 0, 4, 0, 0, 2, 2]);
  assert.deepEqual([...splitComponents(l, 4, 2)], [1, 1, 0, 2, 0, 0, 3, 3].map((v, i) => (i === 3 ? 2 : v)));
});
