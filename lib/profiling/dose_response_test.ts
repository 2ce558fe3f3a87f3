import assert from "node:assert/strict";
import { join } from "node:path";
import { doseResponseV1 } from "../../bench/reference/dose_response_v1.ts";
import { Rng } from "../data/rng.ts";
import { channelStatsOfCropSet, haveSharedData, SHARED_DATA } from "../data/test_util.ts";
import { doseResponse, type SiteCellRow, spearman } from "./dose_response.ts";
import { syntheticSiteCells } from "./synthetic_sites.ts";
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

Deno.test("doseResponse: the same results as the implementation before its speed-up, on a fixed input", () => {
  const input = syntheticSiteCells({ cells: 600, features: 20, seed: 3 });
  const before = doseResponseV1(input, { nullSize: 500, seed: 2 });
  // Every dose's null drawn exactly: identical in every field.
  assert.deepEqual(doseResponse(input, { nullSize: 500, seed: 2, exactNullDraws: Infinity }), before);
  // By default a dose beyond the exact-null budget draws from a table of random APs: only its p may move.
  const now = doseResponse(input, { nullSize: 500, seed: 2 });
  let tabled = 0;
  now.compounds.forEach((c, i) =>
    c.doses.forEach((x, k) => {
      const old = before.compounds[i].doses[k];
      const exact = x.sites * (x.sites - 1) * 500 <= 2_000_000;
      if (!exact) tabled++;
      assert.deepEqual({ ...x, p: null }, { ...old, p: null }, x.treatment);
      if (exact) assert.equal(x.p, old.p, x.treatment);
      else assert.ok(Math.abs(x.p! - old.p!) <= 0.05, `${x.treatment}: p ${x.p} vs ${old.p}`);
    })
  );
  assert.ok(tabled >= 1, "the dominant dose is beyond the budget");
  assert.deepEqual({ ...now, compounds: [] }, { ...before, compounds: [] });
});

Deno.test("doseResponse: p from the table of random APs agrees with exact draws within Monte Carlo error", () => {
  const t = syntheticSiteCells({ cells: 600, features: 20, seed: 3 });
  const exact = doseResponse(t, { nullSize: 4000, seed: 5, exactNullDraws: Infinity });
  const table = doseResponse(t, { nullSize: 4000, seed: 5, exactNullDraws: 0 });
  const ps = exact.compounds.flatMap((c, i) =>
    c.doses.map((x, k) => [x.p, table.compounds[i].doses[k].p, x.map, table.compounds[i].doses[k].map])
  );
  let moderate = 0;
  for (const [a, b, mapA, mapB] of ps) {
    assert.equal(mapA, mapB);
    if (a === null) continue;
    if (a > 0.05 && a < 0.95) moderate++;
    // Both estimate the same p from 4,000 draws (the table adds its own sampling): within 5 standard errors.
    assert.ok(Math.abs(a - b!) <= 5 * Math.sqrt((2 * a * (1 - a)) / 4000) + 2 / 4000, `p ${a} vs ${b}`);
  }
  assert.ok(moderate >= 10, `${moderate} doses have p-values away from the extremes`);
});

Deno.test("doseResponse: moa-crops-shaped 2,000 cells (a dose of ~400 sites) in seconds, not half a minute", () => {
  const input = syntheticSiteCells({ cells: 2000, seed: 1 });
  const t0 = performance.now();
  const r = doseResponse(input);
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(Math.max(...r.compounds.flatMap((c) => c.doses.map((x) => x.sites))), 396);
  // 31 s before (each of a dose's m sites drew its own null: m · (m − 1) · 10⁴ random positions); 0.7 s now.
  assert.ok(seconds < 5, `${seconds.toFixed(1)} s`);
});

const MOA_CROPS = join(SHARED_DATA, "bbbc021", "moa-crops");

Deno.test({
  name:
    "doseResponse on real BBBC021 moa-crops (1,067 sites, taxol 0.3 µM on 394): seconds, not half a minute",
  ignore: !haveSharedData("bbbc021/moa-crops", "the dose-response test on real moa-crops"),
  fn: async () => {
    // Per-cell features of the real crops: each channel's mean, sd and 90th percentile, as fractions.
    const { records, names, data } = await channelStatsOfCropSet(MOA_CROPS);
    const rows: SiteCellRow[] = records.map((r) => ({
      plate: r.plate,
      well: r.well,
      site: Number(/(\d+)\s*$/.exec(r.extra.site ?? "1")![1]),
      batch: /^(Week\d+)_/.exec(r.plate)![1],
      compound: r.compound,
      concentration: r.concentration,
      moa: r.moa,
    }));
    const t0 = performance.now();
    const report = doseResponse({ features: names, data, rows });
    const seconds = (performance.now() - t0) / 1000;
    const taxol = report.compounds.find((c) => c.compound === "taxol")!.doses.find((x) =>
      x.concentration === 0.3
    )!;
    assert.equal(taxol.sites, 394);
    assert.ok(taxol.map! > 0 && taxol.p! > 0 && taxol.p! <= 1);
    assert.ok(seconds < 5, `${seconds.toFixed(1)} s (31 s before)`);
  },
});
