import assert from "node:assert/strict";
import { averagePrecision, meanAveragePrecision, nullAveragePrecisions } from "./map.ts";
import type { TreatmentRow } from "./nsc.ts";
import { Rng } from "../data/rng.ts";
import { assertClose, unit } from "./test_util.ts";

const B = ["W1"];
function treatments(list: (TreatmentRow & { deg: number })[]) {
  return {
    features: ["x", "y"],
    data: Float64Array.from(list.flatMap((t) => unit(t.deg))),
    rows: list.map(({ deg: _deg, ...r }) => r),
  };
}

// A (X, 0°), B (X, 30°), C (Y, 20°), D (X, 70°), E (Y, 100°), one compound each.
const tiny = treatments([
  { compound: "A", concentration: 1, moa: "X", batches: B, deg: 0 },
  { compound: "B", concentration: 1, moa: "X", batches: B, deg: 30 },
  { compound: "C", concentration: 1, moa: "Y", batches: B, deg: 20 },
  { compound: "D", concentration: 1, moa: "X", batches: B, deg: 70 },
  { compound: "E", concentration: 1, moa: "Y", batches: B, deg: 100 },
  { compound: "DMSO", concentration: 0, moa: "DMSO", batches: B, deg: 1 },
]);

Deno.test("averagePrecision by hand", () => {
  assert.equal(averagePrecision([true, false, true]), (1 / 1 + 2 / 3) / 2);
  assert.equal(averagePrecision([false, true, true, false]), (1 / 2 + 2 / 3) / 2);
  assert.equal(averagePrecision([false, false, false, true]), 1 / 4);
  assert.ok(Number.isNaN(averagePrecision([false, false])));
});

Deno.test("meanAveragePrecision by hand: AP per query, mAP per MOA and overall", () => {
  // A: C 20°(−) B 30°(+) D 70°(+) E 100°(−) → (1/2 + 2/3)/2 = 7/12
  // B: C 10°(−) A 30°(+) D 40°(+) E 70°(−) → 7/12
  // C: B 10°(−) A 20°(−) D 50°(−) E 80°(+) → 1/4
  // D: E 30°(−) B 40°(+) C 50°(−) A 70°(+) → (1/2 + 2/4)/2 = 1/2
  // E: D 30°(−) B 70°(−) C 80°(+) A 100°(−) → 1/3
  // mAP = (7/12 + 7/12 + 1/4 + 1/2 + 1/3)/5 = 27/60; X: 5/9; Y: 7/24
  const r = meanAveragePrecision(tiny, { nullSize: 4000, seed: 1 });
  const ap = Object.fromEntries(r.per_treatment.map((x) => [x.compound, x.ap]));
  [["A", 7 / 12], ["B", 7 / 12], ["C", 1 / 4], ["D", 1 / 2], ["E", 1 / 3]].forEach(([c, v]) =>
    assertClose(ap[c as string], v as number, 1e-12, `AP ${c}`)
  );
  assertClose(r.map, 27 / 60, 1e-12, "mAP");
  assert.equal(r.n, 5);
  assert.deepEqual(r.per_moa.map((m) => m.moa), ["X", "Y"]);
  assertClose(r.per_moa[0].map, 5 / 9, 1e-12);
  assertClose(r.per_moa[1].map, 7 / 24, 1e-12);
  assert.deepEqual(r.per_treatment.map((x) => [x.n_pos, x.n_total]), [[2, 4], [2, 4], [1, 4], [2, 4], [
    1,
    4,
  ]]);
});

Deno.test("p-values follow the exact null: (#{null ≥ AP} + 1)/(N + 1)", () => {
  // 2 positives in 4: the 6 equally likely position pairs give APs
  // 1, 5/6, 3/4, 7/12, 1/2, 5/12 → P(null ≥ 7/12) = 4/6, P(null ≥ 1/2) = 5/6.
  // 1 positive in 4: APs 1, 1/2, 1/3, 1/4 → P(≥ 1/4) = 1 (p exactly 1), P(≥ 1/3) = 3/4.
  const N = 20000;
  const r = meanAveragePrecision(tiny, { nullSize: N, seed: 3 });
  const p = Object.fromEntries(r.per_treatment.map((x) => [x.compound, x.p_value]));
  assertClose(p.A, 4 / 6, 0.015, "p A");
  assertClose(p.D, 5 / 6, 0.015, "p D");
  assert.equal(p.C, 1);
  assertClose(p.E, 3 / 4, 0.015, "p E");
  assert.equal(p.A, p.B); // same AP, same configuration, same null
  for (const x of r.per_treatment) assert.ok(x.corrected_p_value >= x.p_value);
  assert.equal(r.fraction_retrieved, 0);
});

Deno.test("nullAveragePrecisions: marking and scanning positions gives the sorted positions' APs exactly", () => {
  // The reference: the same random subsets, positions sorted.
  const reference = (nPos: number, nTotal: number, size: number, seed: number) => {
    const rng = new Rng(seed);
    const perm = Int32Array.from({ length: nTotal }, (_, i) => i);
    return Float64Array.from({ length: size }, () => {
      const pos = new Int32Array(nPos);
      for (let k = 0; k < nPos; k++) {
        const r = k + rng.int(nTotal - k);
        [perm[k], perm[r]] = [perm[r], perm[k]];
        pos[k] = perm[k];
      }
      pos.sort();
      let sum = 0;
      for (let k = 0; k < nPos; k++) sum += (k + 1) / (pos[k] + 1);
      return sum / nPos;
    });
  };
  // Many positives among few candidates (scanned), and few among many (sorted).
  for (const [nPos, nTotal] of [[300, 400], [3, 4], [40, 41], [2, 4], [5, 900]]) {
    assert.deepEqual(
      nullAveragePrecisions(nPos, nTotal, 200, 9),
      reference(nPos, nTotal, 200, 9),
      `${nPos}/${nTotal}`,
    );
  }
});

Deno.test("nullAveragePrecisions samples the 6 rankings of 2 in 4 uniformly and is seeded", () => {
  const v = nullAveragePrecisions(2, 4, 60000, 11);
  const counts = new Map<string, number>();
  for (const x of v) counts.set(x.toFixed(6), (counts.get(x.toFixed(6)) ?? 0) + 1);
  const expected = [1, 5 / 6, 3 / 4, 7 / 12, 1 / 2, 5 / 12].map((x) => x.toFixed(6)).sort();
  assert.deepEqual([...counts.keys()].sort(), expected);
  for (const c of counts.values()) assert.ok(Math.abs(c - 10000) < 450, `count ${c}`);
  assert.deepEqual(nullAveragePrecisions(3, 10, 50, 5), nullAveragePrecisions(3, 10, 50, 5));
  assert.notDeepEqual(nullAveragePrecisions(3, 10, 50, 5), nullAveragePrecisions(3, 10, 50, 6));
  assert.throws(() => nullAveragePrecisions(0, 3, 1, 0), /expected 1 ≤ nPos ≤ nTotal/);
});

Deno.test("a well-separated MOA structure is significant after BH; same seed, same report", () => {
  // 4 MOAs × 3 compounds, MOA m at angle 90·m°, compounds ±2° around it: perfect retrieval.
  const list = [];
  for (let m = 0; m < 4; m++) {
    for (let c = 0; c < 3; c++) {
      list.push({
        compound: `c${m}${c}`,
        concentration: 1,
        moa: `M${m}`,
        batches: B,
        deg: 90 * m + 2 * (c - 1),
      });
    }
  }
  const t = treatments(list);
  const r = meanAveragePrecision(t, { nullSize: 2000, seed: 9 });
  assert.equal(r.map, 1);
  // AP 1 with 2 positives among 11: P(null = 1) = 1/55 → p ≈ 0.018; BH over 12 equal p-values keeps them
  for (const x of r.per_treatment) assert.ok(x.corrected_p_value < 0.05, `q ${x.corrected_p_value}`);
  assert.equal(r.fraction_retrieved, 1);
  // per MOA: the mean of 3 nulls exceeds 1 never → p = 1/(N + 1)
  for (const m of r.per_moa) assert.equal(m.p_value, 1 / 2001);
  assert.deepEqual(meanAveragePrecision(t, { nullSize: 2000, seed: 9 }), r);
});

Deno.test("ties rank positives first (copairs' stable ordering); same-compound treatments are left out", () => {
  // Q's candidates P (+) and N (−) sit at the same angle: positive first → AP 1.
  const t = treatments([
    { compound: "Q", concentration: 1, moa: "X", batches: B, deg: 0 },
    { compound: "Q", concentration: 2, moa: "X", batches: B, deg: 0 },
    { compound: "N", concentration: 1, moa: "Y", batches: B, deg: 30 },
    { compound: "P", concentration: 1, moa: "X", batches: B, deg: 30 },
  ]);
  const r = meanAveragePrecision(t, { nullSize: 10 });
  assert.equal(r.per_treatment[0].ap, 1);
  assert.equal(r.per_treatment[0].n_total, 2); // Q@2 excluded
  const all = meanAveragePrecision(t, { nullSize: 10, excludeSameCompound: false });
  assert.equal(all.per_treatment[0].n_total, 3);
  assert.equal(all.per_treatment[0].n_pos, 2);
});
