import assert from "node:assert/strict";
import { Rng } from "../data/rng.ts";
import { normalizeCells } from "./cell_normalize.ts";
import { assertClose, row } from "./test_util.ts";
import type { ProfileRow, ProfileTable } from "./types.ts";

/**
 * Cells of 3 plates in 2 batches: correlated features with per-plate offsets; plate P3 has `p3Controls`
 * control cells.
 */
function cells(seed: number, p3Controls = 1): ProfileTable<ProfileRow> {
  const rng = new Rng(seed);
  const d = 3, rows: ProfileRow[] = [], values: number[] = [];
  const plates = [
    { plate: "P1", batch: "W1", offset: 0, controls: 40 },
    { plate: "P2", batch: "W2", offset: 5, controls: 40 },
    { plate: "P3", batch: "W2", offset: -3, controls: p3Controls },
  ];
  for (const p of plates) {
    for (let i = 0; i < 60; i++) {
      const control = i < p.controls;
      const z = [rng.uniform() - 0.5, rng.uniform() - 0.5, rng.uniform() - 0.5];
      values.push(
        p.offset + 10 * z[0],
        p.offset + 2 * z[1] + 4 * z[0],
        p.offset + 0.1 * z[2] + (control ? 0 : 1),
      );
      rows.push(row({ plate: p.plate, batch: p.batch, compound: control ? "DMSO" : "x" }));
    }
  }
  return { features: Array.from({ length: d }, (_, j) => `f${j}`), data: new Float64Array(values), rows };
}

function controlStats(t: ProfileTable<ProfileRow>, which: (r: ProfileRow) => boolean) {
  const d = t.features.length;
  const idx = t.rows.flatMap((r, i) => (r.compound === "DMSO" && which(r) ? [i] : []));
  const mean = new Array(d).fill(0), cov = Array.from({ length: d }, () => new Array(d).fill(0));
  for (const i of idx) for (let j = 0; j < d; j++) mean[j] += t.data[i * d + j] / idx.length;
  for (const i of idx) {
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        cov[a][b] += (t.data[i * d + a] - mean[a]) * (t.data[i * d + b] - mean[b]) / (idx.length - 1);
      }
    }
  }
  return { mean, cov };
}

Deno.test("normalizeCells zscore (global): control cells get mean 0 and variance 1 per feature", () => {
  const t = cells(1);
  const r = normalizeCells(t, { method: "zscore" });
  const { mean, cov } = controlStats(r.table, () => true);
  for (let j = 0; j < 3; j++) {
    assertClose(mean[j], 0, 1e-5, `mean ${j}`);
    assertClose(cov[j][j], 1, 1e-4, `variance ${j}`);
  }
  assert.ok(Math.abs(cov[0][1]) > 0.5, "z-scores keep the correlation");
  assert.equal(r.controls, 81);
  assert.deepEqual(r.groups.map((g) => [g.group, g.usedLevel]), [["all", "global"]]);
  assert.ok(r.table.data instanceof Float32Array);
});

Deno.test("normalizeCells whiten: control covariance becomes the identity (shrunk by the regulariser)", () => {
  const t = cells(2);
  const exact = normalizeCells(t, { method: "whiten", shrinkage: 0 });
  const { cov } = controlStats(exact.table, () => true);
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) assertClose(cov[a][b], a === b ? 1 : 0, 1e-4);
  // With shrinkage, every direction's variance is λ / (λ + s·mean λ) < 1.
  const shrunk = controlStats(normalizeCells(t, { method: "whiten", shrinkage: 0.5 }).table, () => true).cov;
  for (let a = 0; a < 3; a++) assert.ok(shrunk[a][a] < 0.95 && shrunk[a][a] > 0, `variance ${shrunk[a][a]}`);
});

Deno.test("normalizeCells center: plate centres where a plate has enough controls, else its batch's, recorded", () => {
  const t = cells(3, 2);
  const r = normalizeCells(t, { method: "zscore", center: "plate", minControls: 5 });
  const byPlate = Object.fromEntries(r.groups.map((g) => [g.group, g]));
  assert.deepEqual(
    [byPlate.P1.usedLevel, byPlate.P2.usedLevel, byPlate.P3.usedLevel],
    ["plate", "plate", "batch"],
  );
  assert.equal(byPlate.P3.controls, 2);
  assert.equal(byPlate.P3.usedGroup, "W2");
  // With 50 controls needed, neither batch (40 and 42 controls) has enough: both use all cells.
  const strict = normalizeCells(t, { method: "zscore", center: "batch", minControls: 50 });
  assert.deepEqual(strict.groups.map((g) => [g.group, g.usedLevel]), [["W1", "global"], ["W2", "global"]]);
  assert.match(strict.warnings.join("\n"), /2 of 2 batches have fewer than 50 control cells/);
  // Each plate's own controls are centred on zero: the plate offsets are gone.
  for (const plate of ["P1", "P2"]) {
    const { mean } = controlStats(r.table, (row) => row.plate === plate);
    for (const m of mean) assertClose(m, 0, 1e-4, `${plate} mean`);
  }
  // The global centre leaves the offsets in: P2's controls sit above P1's.
  const g = normalizeCells(t, { method: "zscore" });
  assert.ok(controlStats(g.table, (x) => x.plate === "P2").mean[0] > 0.5);
});

Deno.test("normalizeCells: fewer controls than features warns when whitening; < 2 controls and bad options throw", () => {
  const t = cells(4);
  const few: ProfileTable<ProfileRow> = {
    ...t,
    rows: t.rows.map((r, i) => (r.compound === "DMSO" && i % 60 >= 1 ? { ...r, compound: "y" } : r)),
  };
  const r = normalizeCells(few, { method: "whiten" });
  assert.match(r.warnings[0], /3 control cells for 3 features/);
  assert.ok([...r.table.data].every(Number.isFinite));
  const one = { ...t, rows: t.rows.map((r, i) => (i === 0 ? r : { ...r, compound: "y" })) };
  assert.throws(
    () => normalizeCells(one, { method: "zscore" }),
    /at least 2 control cells .* found 1 in 180/,
  );
  assert.throws(
    () => normalizeCells(t, { method: "spherize" as "zscore" }),
    /expected method zscore or whiten/,
  );
  assert.throws(() => normalizeCells(t, { method: "zscore", center: "well" as "plate" }), /expected center/);
});
