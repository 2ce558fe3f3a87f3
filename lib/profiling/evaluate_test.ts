import assert from "node:assert/strict";
import { evaluateTreatments } from "./evaluate.ts";
import type { TreatmentRow } from "./nsc.ts";
import { unit } from "./test_util.ts";

function treatments(list: (TreatmentRow & { deg: number })[]) {
  return {
    features: ["x", "y"],
    data: Float64Array.from(list.flatMap((t) => unit(t.deg))),
    rows: list.map(({ deg: _deg, ...r }) => r),
  };
}

Deno.test("evaluateTreatments: NSC, NSCB and mAP together; treatments without MOA left out with a warning", () => {
  const t = treatments([
    { compound: "A", concentration: 1, moa: "X", batches: ["W1"], deg: 0 },
    { compound: "B", concentration: 1, moa: "X", batches: ["W2"], deg: 10 },
    { compound: "C", concentration: 1, moa: "Y", batches: ["W1"], deg: 90 },
    { compound: "D", concentration: 1, moa: "Y", batches: ["W2"], deg: 100 },
    { compound: "U", concentration: 5, moa: null, batches: ["W1"], deg: 5 },
    { compound: "DMSO", concentration: 0, moa: "DMSO", batches: ["W1"], deg: 1 },
  ]);
  const r = evaluateTreatments(t, { nullSize: 100 });
  assert.equal(r.nsc.per_treatment, 1);
  assert.equal(r.nsc.n, 4);
  assert.equal(r.nscb.per_treatment, 1);
  assert.equal(r.map.map, 1);
  assert.deepEqual(r.without_moa, ["U@5"]);
  assert.match(r.warnings[0], /1 treatment\(s\) have no MOA .* left out: U@5/);
});

Deno.test("evaluateTreatments needs two compounds with a MOA", () => {
  const t = treatments([
    { compound: "A", concentration: 1, moa: "X", batches: ["W1"], deg: 0 },
    { compound: "A", concentration: 2, moa: "X", batches: ["W1"], deg: 1 },
  ]);
  assert.throws(
    () => evaluateTreatments(t),
    /expected treatments of at least 2 compounds with a MOA .* got 1/,
  );
});
