import assert from "node:assert/strict";
import { nearestNeighborAccuracy, type TreatmentRow } from "./nsc.ts";
import { unit } from "./test_util.ts";

type T = TreatmentRow & { deg: number };
function treatments(list: T[]) {
  return {
    features: ["x", "y"],
    data: Float64Array.from(list.flatMap((t) => unit(t.deg))),
    rows: list.map(({ deg: _deg, ...r }) => r),
  };
}

// Unit vectors at the given angles: cosine similarity = cos(angle difference),
// so the nearest neighbour is the one at the smallest angle.
const W1 = ["W1"], W2 = ["W2"];
const tiny = treatments([
  { compound: "A", concentration: 1, moa: "X", batches: W1, deg: 0 },
  { compound: "A", concentration: 3, moa: "X", batches: W1, deg: 10 },
  { compound: "B", concentration: 1, moa: "X", batches: W1, deg: 20 },
  { compound: "C", concentration: 1, moa: "Y", batches: W2, deg: 35 },
  { compound: "D", concentration: 1, moa: "Y", batches: W2, deg: 90 },
  { compound: "E", concentration: 1, moa: "X", batches: W2, deg: 60 },
  { compound: "F", concentration: 1, moa: "Y", batches: W1, deg: 52 },
  { compound: "DMSO", concentration: 0, moa: "DMSO", batches: W1, deg: 5 }, // closest to A, never used
  { compound: "G", concentration: 1, moa: null, batches: W2, deg: 56 }, // no MOA: never used
]);

Deno.test("NSC by hand: per treatment 3/7, per compound 2/6", () => {
  // A@1 (0°) → B (20°) X ✓       A@3 (10°) → B (10° away) X ✓   B (20°) → A@3 (10° away) X ✓
  // C (35°, Y) → B (15° away) X ✗  D (90°, Y) → E (30° away) X ✗
  // E (60°, X) → F (8° away) Y ✗   F (52°, Y) → E (8° away) X ✗
  // per compound: A 2/2, B 1/1, C 0, D 0, E 0, F 0 → (1 + 1) / 6
  const r = nearestNeighborAccuracy(tiny, { notSameBatch: false });
  assert.equal(r.n, 7);
  assert.equal(r.per_treatment, 3 / 7);
  assert.equal(r.per_compound, 2 / 6);
  assert.equal(r.n_compounds, 6);
  assert.deepEqual(r.neighbors.map((x) => `${x.treatment}→${x.neighbor}`), [
    "A@1→B@1",
    "A@3→B@1",
    "B@1→A@3",
    "C@1→B@1",
    "D@1→E@1",
    "E@1→F@1",
    "F@1→E@1",
  ]);
  assert.deepEqual(r.per_moa_recall, { X: 3 / 4, Y: 0 });
  assert.deepEqual(r.confusion, { labels: ["X", "Y"], matrix: [[3, 1], [3, 0]] });
  assert.deepEqual(r.per_compound_accuracy, { A: 1, B: 1, C: 0, D: 0, E: 0, F: 0 });
  assert.ok(Math.abs(r.neighbors[0].similarity - Math.cos((20 * Math.PI) / 180)) < 1e-12);
});

Deno.test("NSCB by hand: references from the other batch only, per treatment 1/7, per compound 1/6", () => {
  // W1: A@1, A@3, B, F; W2: C, D, E. X spans W1+W2, Y spans W1+W2: nothing dropped.
  // A@1 (0°) → C (35°) Y ✗   A@3 (10°) → C ✗   B (20°) → C (15°) ✗   F (52°, Y) → E (8°) X ✗
  // C (35°, Y) → B (15°) X ✗   D (90°, Y) → F (38°) Y ✓   E (60°, X) → F (8°) Y ✗
  const r = nearestNeighborAccuracy(tiny, { notSameBatch: true });
  assert.equal(r.n, 7);
  assert.equal(r.per_treatment, 1 / 7);
  assert.equal(r.per_compound, 1 / 6);
  assert.deepEqual(r.dropped, { moas: [], treatments: [], no_reference: [] });
  assert.equal(r.neighbors.find((x) => x.treatment === "D@1")!.neighbor, "F@1");
});

Deno.test("NSCB drops MOAs found in one batch only, from queries and references", () => {
  // Z lives only in W3 → dropped. Without the drop, H (Z, 1°) would be everyone's neighbour.
  const t = treatments([
    { compound: "A", concentration: 1, moa: "X", batches: W1, deg: 0 },
    { compound: "B", concentration: 1, moa: "X", batches: W2, deg: 40 },
    { compound: "C", concentration: 1, moa: "Y", batches: W2, deg: 2 },
    { compound: "D", concentration: 1, moa: "Y", batches: W1, deg: 42 },
    { compound: "H", concentration: 1, moa: "Z", batches: ["W3"], deg: 1 },
    { compound: "I", concentration: 1, moa: "Z", batches: ["W3"], deg: 41 },
  ]);
  // A (0°, W1) → C (2°) Y ✗   B (40°, W2) → D (2° away) Y ✗
  // C (2°, W2) → A (2°) X ✗    D (42°, W1) → B (2°) X ✗
  const r = nearestNeighborAccuracy(t, { notSameBatch: true });
  assert.deepEqual(r.dropped.moas, ["Z"]);
  assert.deepEqual(r.dropped.treatments, ["H@1", "I@1"]);
  assert.equal(r.n, 4);
  assert.equal(r.per_treatment, 0);
  // NSC keeps Z: H (1°) → A or C, both 1° away
  const nsc = nearestNeighborAccuracy(t, { notSameBatch: false });
  assert.equal(nsc.n, 6);
  assert.equal(nsc.per_moa_recall.Z, 0);
});

Deno.test("ties go to the reference that comes first in the table", () => {
  const t = treatments([
    { compound: "Q", concentration: 1, moa: "X", batches: W1, deg: 0 },
    { compound: "R", concentration: 1, moa: "Y", batches: W2, deg: 30 },
    { compound: "S", concentration: 1, moa: "X", batches: W2, deg: 30 },
  ]);
  const r = nearestNeighborAccuracy(t, { notSameBatch: false });
  assert.equal(r.neighbors[0].neighbor, "R@1");
  assert.equal(r.neighbors[0].correct, false);
});

Deno.test("NSCB: a treatment sharing a batch with every reference is reported, not scored", () => {
  // T spans W1 and W2 (like taxol 0.3 µM pooled with its per-plate controls).
  const t = treatments([
    { compound: "A", concentration: 1, moa: "X", batches: W1, deg: 0 },
    { compound: "B", concentration: 1, moa: "X", batches: W2, deg: 10 },
    { compound: "T", concentration: 1, moa: "X", batches: ["W1", "W2"], deg: 5 },
  ]);
  const r = nearestNeighborAccuracy(t, { notSameBatch: true });
  assert.deepEqual(r.dropped.no_reference, ["T@1"]);
  assert.equal(r.n, 2);
  assert.equal(r.per_treatment, 1); // A ↔ B, T is never a reference for them either
});
