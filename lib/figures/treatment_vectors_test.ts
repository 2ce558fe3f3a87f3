import assert from "node:assert/strict";
import { Rng } from "../models/rng.ts";
import {
  type CellGroup,
  type LatentCells,
  measureDoseDirection,
  measureTreatmentVectors,
  shiftAgreement,
} from "./treatment_vectors.ts";

const D = 6;

/** Cells whose "images" are their codes (one value per code dimension), `shift` added to each group's. */
function cells(
  groups: { n: number; shift: number[] }[],
  seed = 1,
): { codes: Float32Array; groups: number[][] } {
  const rng = new Rng(seed);
  const rows: number[] = [];
  const out: number[][] = [];
  let i = 0;
  for (const g of groups) {
    const noise = rng.fillNormal(new Float32Array(g.n * D));
    // Centre each group's noise, so that its mean is exactly its shift.
    for (let j = 0; j < D; j++) {
      let m = 0;
      for (let r = 0; r < g.n; r++) m += noise[r * D + j] / g.n;
      for (let r = 0; r < g.n; r++) noise[r * D + j] -= m;
    }
    for (let r = 0; r < g.n; r++) for (let j = 0; j < D; j++) rows.push(noise[r * D + j] + g.shift[j]);
    out.push(Array.from({ length: g.n }, () => i++));
  }
  return { codes: Float32Array.from(rows), groups: out };
}

const identity = (codes: Float32Array): LatentCells => ({
  images: codes,
  codes,
  d: D,
  decode: (z) => Promise.resolve(z.slice()),
  measure: (x) => x.slice(),
});

Deno.test("shiftAgreement: cosine and gain along the real shift", () => {
  assert.deepEqual(shiftAgreement([2, 0], [1, 0]), { cosine: 1, gain: 2 });
  const s = shiftAgreement([0, 1], [1, 0]);
  assert.equal(s.cosine, 0);
  assert.equal(s.gain, 0);
  assert.throws(() => shiftAgreement([1], [1, 2]), /1 and 2 features/);
});

Deno.test("treatment vectors: a decoder that keeps the code reproduces each treatment's shift; the random control does not", async () => {
  const { codes, groups } = cells([
    { n: 40, shift: [0, 0, 0, 0, 0, 0] }, // DMSO, fit half
    { n: 40, shift: [0, 0, 0, 0, 0, 0] }, // DMSO, held out
    { n: 30, shift: [3, 0, 0, 0, 0, 0] },
    { n: 30, shift: [0, -2, 1, 0, 0, 0] },
  ]);
  const treatments: CellGroup[] = [
    { label: "A", moa: "a", indices: groups[2] },
    { label: "B", moa: "b", indices: groups[3] },
  ];
  const { results, features } = await measureTreatmentVectors(
    identity(codes),
    treatments,
    groups[0],
    groups[1],
    7,
  );
  assert.equal(features, D);
  for (const r of results) {
    assert.ok(Math.abs(r.direction.cosine - 1) < 1e-6, `${r.label}: cosine ${r.direction.cosine}`);
    assert.ok(Math.abs(r.direction.gain - 1) < 1e-6, `${r.label}: gain ${r.direction.gain}`);
    assert.ok(r.control.cosine < 0.9, `${r.label}: control cosine ${r.control.cosine}`);
  }
  assert.equal(results[0].cells, 30);
  assert.ok(Math.abs(results[0].vectorNorm - 3) < 1e-5);

  // A decoder blind to the first code dimension cannot show treatment A (which only moves it).
  const blind: LatentCells = {
    ...identity(codes),
    decode: (z) => Promise.resolve(z.map((v, i) => (i % D === 0 ? 0 : v))),
  };
  const r = (await measureTreatmentVectors(blind, treatments, groups[0], groups[1], 7)).results;
  assert.ok(Math.abs(r[0].direction.gain) < 1e-6, `blind decoder: gain ${r[0].direction.gain}`);
  assert.ok(r[1].direction.gain > 0.99, "treatment B does not use the first dimension");
});

Deno.test("dose direction: α times the low → high vector goes α of the way, and the concentrations in between lie on it", async () => {
  const u = [1, 1, 0, 0, 0, 0];
  const { codes, groups } = cells([0, 1, 2, 4].map((c) => ({ n: 25, shift: u.map((x) => c * x) })));
  const conc: CellGroup[] = groups.map((indices, i) => ({ label: `c${i}`, moa: "m", indices }));
  const r = await measureDoseDirection(identity(codes), conc, [0, 1, 2], 3);
  assert.deepEqual(r.alphas, [0, 1, 2]);
  for (const [i, a] of r.alphas.entries()) {
    assert.ok(Math.abs(r.direction[i].gain - a) < 1e-5, `α ${a}: gain ${r.direction[i].gain}`);
  }
  assert.deepEqual(r.real.map((c) => Math.round(c.gain * 1e5) / 1e5), [0, 0.25, 0.5, 1]);
  assert.ok(Math.abs(r.control[2].gain) < Math.abs(r.direction[2].gain));
  await assert.rejects(() => measureDoseDirection(identity(codes), conc.slice(0, 1), [1], 0), /at least 2/);
});
