import assert from "node:assert/strict";
import {
  algebraChart,
  confusionPanel,
  curvesPanel,
  grid,
  legendPanel,
  mapPanel,
  moaColors,
  movingAverage,
  scorePanel,
  table1Chart,
  table1Panel,
  type Table1Row,
} from "./charts.ts";

const scores = (v: number) => ({
  nsc_per_compound: v,
  nsc_per_treatment: v,
  nscb_per_compound: v,
  nscb_per_treatment: v,
});

const ROWS: Table1Row[] = [
  {
    method: "LSGAN",
    set: "lsgan",
    ours: scores(0.5),
    best: { ...scores(0.6), protocol: "wells-mean/robustize" },
    paper: { method: "LSGAN", nsc: 0.68, draft: 0.63, source: "x" },
  },
  {
    method: "VAE",
    set: null,
    ours: null,
    best: null,
    paper: { method: "VAE", nsc: 0.49, draft: null, source: "y" },
  },
];

Deno.test("movingAverage smooths, skipping non-finite values", () => {
  assert.deepEqual(movingAverage([1, 2, 3, 4], 3), [1.5, 2, 3, 3.5]);
  assert.deepEqual(movingAverage([1, NaN, 3], 3), [1, 2, 3]);
  assert.deepEqual(movingAverage([1, 2], 1), [1, 2]);
});

Deno.test("curvesPanel draws each series present, with a legend", async () => {
  const step = [1, 2, 3, 4];
  const p = await curvesPanel({
    step,
    dLoss: [1, 0.9, 0.8, 0.7],
    gLoss: [0.5, 0.6, 0.7, 0.8],
    gp: [1, 1, 1, 1],
  });
  assert.ok(p.width >= 600 && p.height > 200);
  assert.match(p.body, /D loss/);
  assert.match(p.body, /grad\. penalty/);
  assert.doesNotMatch(p.body, /critic gap/);
});

Deno.test("confusionPanel: a cell per pair, counts written where non-zero", async () => {
  const p = await confusionPanel(["A", "B"], [[2, 1], [0, 3]]);
  assert.equal((p.body.match(/<rect/g) ?? []).length >= 4, true);
  assert.match(p.body, />3</);
  assert.doesNotMatch(p.body, />0</);
});

Deno.test("table1Panel and table1Chart: ours beside the paper, the draft labelled", async () => {
  const t = table1Panel(ROWS);
  assert.match(t.body, />68</);
  assert.match(t.body, />63\*</);
  assert.match(t.body, /draft/);
  assert.match(t.body, /wells-mean\/robustize/);
  const c = await table1Chart(ROWS);
  // ours (4 metrics) and the paper draft (1) as circles, best (4) as diamonds, the paper (1) as a tick.
  assert.equal((c.body.match(/<circle/g) ?? []).length, 5);
  assert.equal((c.body.match(/<path d="M[^"]*Z" transform/g) ?? []).length, 4);
  assert.match(c.body, /aria-label="tick"/);
  assert.ok(c.width === 1000);
});

Deno.test("table1Panel and table1Chart: ± sd over seeds, the untrained control, the number of seeds", async () => {
  const seeded = (v: number, sd: number, n: number) => ({
    ...scores(v),
    n_seeds: n,
    sd: { nsc_per_compound: sd, nsc_per_treatment: sd, nscb_per_compound: sd, nscb_per_treatment: sd },
  });
  const rows: Table1Row[] = [
    {
      ...ROWS[0],
      ours: seeded(0.5, 0.04, 3),
      best: { ...seeded(0.6, 0.02, 3), protocol: "cells-whiten/batch" },
      control: { ...seeded(0.45, 0.03, 3), protocol: "cells-whiten/batch" },
    },
    { ...ROWS[0], method: "Classical", set: "classical", control: null },
    ROWS[1],
  ];
  const t = table1Panel(rows);
  assert.match(t.body, />50 ± 4</);
  assert.match(t.body, />60 ± 2</);
  assert.match(t.body, />45 ± 3</, "the control under the best protocol");
  assert.match(t.body, />control</);
  assert.match(t.body, />seeds</);
  assert.match(t.body, />3</);
  assert.match(t.body, />50</, "one seed: no ± sd");
  // The legacy rows (no n_seeds, sd or control): no control column, one seed each.
  const legacy = table1Panel(ROWS);
  assert.doesNotMatch(legacy.body, />control</);
  assert.doesNotMatch(legacy.body, /±/);
  const c = await table1Chart(rows);
  // Whiskers: ours and best of the seeded row, 4 metrics each; the control as crosses (4 metrics).
  assert.equal((c.body.match(/<line /g) ?? []).length >= 8, true);
  assert.match(c.body, /aria-label="rule"/);
  const legacyChart = await table1Chart(ROWS);
  assert.doesNotMatch(legacyChart.body, /aria-label="rule"/);
  assert.ok(
    (c.body.match(/<path /g) ?? []).length >= (legacyChart.body.match(/<path /g) ?? []).length + 4,
    "a cross per metric for the control",
  );
});

Deno.test("mapPanel, scorePanel, algebraChart, legendPanel and grid render", async () => {
  const colors = moaColors(["b", "DMSO", "a"]);
  assert.equal(colors.get("DMSO"), "#9a9a9a");
  assert.notEqual(colors.get("a"), colors.get("b"));
  const m = await mapPanel([[0, 0], [1, 1], [2, 0]], ["a", "b", "DMSO"], colors, { xLabel: "PC1" });
  assert.equal((m.body.match(/<circle/g) ?? []).length, 3);
  const s = await scorePanel([{ generator: "G", value: 0.75 }, { generator: "H", value: NaN }], {
    label: "acc",
    reference: 0.5,
    referenceLabel: "chance",
    domain: [0, 1],
  });
  assert.match(s.body, /chance/);
  assert.match(s.body, /n\/a/);
  assert.doesNotMatch(s.body, /<circle/, "one value per row: no seed dots");
  const a = await algebraChart([
    { step: 0, kind: "direction", mean: 1, se: 0 },
    { step: 1, kind: "direction", mean: 2, se: 0.1 },
    { step: 0, kind: "control", mean: 1, se: 0 },
    { step: 1, kind: "control", mean: 1.1, se: 0.1 },
  ], { label: "area" });
  assert.match(a.body, /direction/);
  const l = legendPanel([{ label: "x", color: "red" }, { label: "y", color: "blue", shape: "line" }], 40);
  assert.equal(l.height, 36); // wrapped onto two lines
  const g = grid([m, m, m], 2);
  assert.equal(g.width, 2 * m.width + 16);
});

Deno.test("scorePanel: a row over seeds shows a dot per seed, mean ± sd, and a shaded goal band", async () => {
  const s = await scorePanel([
    { generator: "real B", value: 1 },
    { generator: "LSGAN", value: 0.8, sd: 0.1, values: [0.7, 0.8, 0.9] },
  ], { label: "spread (shaded: goal)", band: [0.8, 1.2] });
  assert.equal((s.body.match(/<circle/g) ?? []).length, 3);
  assert.match(s.body, />0\.8 ± 0\.1</);
  assert.match(s.body, />1</);
  assert.match(s.body, /shaded: goal/);
  assert.match(s.body, /fill-opacity="0\.12"/);
});
