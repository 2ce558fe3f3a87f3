import assert from "node:assert/strict";
import { Rng } from "../data/rng.ts";
import { doseResponse, type SiteCellRow, spearman } from "./dose_response.ts";
import type { ProfileTable } from "./types.ts";

/** Cells of sites: DMSO (2 plates × 4 sites), "active" at 3 doses (effect ∝ dose), "inert" at 2, "lonely" 1 site. */
function cells(): ProfileTable<SiteCellRow> {
  const rng = new Rng(11);
  const d = 20;
  const rows: SiteCellRow[] = [];
  const data: number[] = [];
  const site = (
    plate: string,
    well: string,
    s: number,
    compound: string,
    concentration: number,
    effect: number,
  ) => {
    for (let c = 0; c < 30; c++) {
      rows.push({
        plate,
        well,
        site: s,
        batch: "Week1",
        compound,
        concentration,
        moa: compound === "DMSO" ? "DMSO" : "X",
      });
      for (let j = 0; j < d; j++) data.push(rng.normal(0, 1) + (j < 8 ? effect : 0));
    }
  };
  for (const plate of ["P1", "P2"]) for (let s = 1; s <= 4; s++) site(plate, "B02", s, "DMSO", 0, 0);
  for (const [k, conc] of [1, 3, 10].entries()) {
    for (let s = 1; s <= 3; s++) site("P1", `C0${k}`, s, "active", conc, [0.15, 0.4, 1.2][k]);
  }
  for (const [k, conc] of [1, 10].entries()) {
    for (let s = 1; s <= 3; s++) site("P2", `D0${k}`, s, "inert", conc, 0);
  }
  site("P2", "E02", 1, "lonely", 5, 1);
  // Column 19 is constant: dropped.
  for (let i = 0; i < rows.length; i++) data[i * d + 19] = 7;
  // A few undefined values (a feature a cell lacks) are skipped.
  for (let i = 0; i < rows.length; i += 17) data[i * d + 3] = NaN;
  return { features: Array.from({ length: d }, (_, j) => `f${j}`), rows, data: Float32Array.from(data) };
}

Deno.test("doseResponse: an active compound is retrieved and ordered by dose; an inert one is not", () => {
  const r = doseResponse(cells(), { nullSize: 2000, seed: 1 });
  assert.equal(r.controlSites, 8);
  assert.equal(r.features, 19, "the constant feature is dropped");
  assert.deepEqual(r.compounds.map((c) => c.compound), ["active", "inert", "lonely"]);
  const active = r.compounds[0];
  assert.deepEqual(active.doses.map((x) => [x.treatment, x.sites, x.cells]), [
    ["active@1", 3, 90],
    ["active@3", 3, 90],
    ["active@10", 3, 90],
  ]);
  assert.equal(active.ordered, true);
  assert.equal(active.spearman, 1);
  const top = active.doses[2];
  assert.equal(top.map, 1, "the strongest dose's sites find each other first");
  assert.ok(top.p! < 0.05, `p ${top.p}`);
  assert.ok(top.distance > 5 * r.controlSpread!, `distance ${top.distance} vs spread ${r.controlSpread}`);
  const inert = r.compounds[1];
  assert.ok(inert.doses.every((x) => x.p! > 0.05 && x.distance < 3 * r.controlSpread!));
  const lonely = r.compounds[2].doses[0];
  assert.equal(lonely.map, null);
  assert.equal(lonely.note, "one site: no replicate to retrieve");
  assert.ok(lonely.distance > 0.5);
  assert.equal(r.compounds[2].ordered, null);
  // Deterministic for the seed.
  assert.deepEqual(doseResponse(cells(), { nullSize: 2000, seed: 1 }), r);
});

Deno.test("doseResponse: no control is an error; spearman handles ties and constants", () => {
  const t = cells();
  const noControl = {
    ...t,
    rows: t.rows.map((r) => ({ ...r, compound: r.compound === "DMSO" ? "water" : r.compound })),
  };
  assert.throws(() => doseResponse(noControl), /expected DMSO cells, found none/);
  assert.equal(spearman([1, 2, 3], [10, 20, 30]), 1);
  assert.equal(spearman([1, 2, 3], [3, 2, 1]), -1);
  assert.equal(spearman([1, 2, 3], [5, 5, 5]), null);
  assert.ok(Math.abs(spearman([1, 2, 3, 4], [1, 3, 2, 4])! - 0.8) < 1e-12);
});
