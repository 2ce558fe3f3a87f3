import assert from "node:assert/strict";
import { columns, percent, type Table1Row, table1Text } from "./table1_text.ts";

const scores = (v: number, protocol: string, seeds = 1, sd = 0) => ({
  protocol,
  n_seeds: seeds,
  sd: { nsc_per_compound: sd, nscb_per_compound: sd },
  nsc_per_compound: v,
  nscb_per_compound: v - 0.1,
});

Deno.test("percent: mean ± sd over seeds, the mean alone for one, a dash for none", () => {
  assert.equal(percent(scores(0.534, "p", 3, 0.009), "nsc_per_compound"), "53.4 ± 0.9 %");
  assert.equal(percent(scores(0.27, "p"), "nsc_per_compound"), "27.0 %");
  assert.equal(percent(null, "nsc_per_compound"), "–");
  assert.equal(
    percent({ protocol: "p", nsc_per_compound: 0.5, nscb_per_compound: null }, "nscb_per_compound"),
    "–",
  );
});

Deno.test("columns: aligned, the header underlined", () => {
  assert.equal(columns([["a", "bb"], ["ccc", "d"]]), "a    bb\n───  ──\nccc  d");
});

Deno.test("table1Text: every row with the paper's number, ours under both protocols, NSCB and the control", () => {
  const rows: Table1Row[] = [
    {
      method: "LSGAN",
      set: "lsgan",
      ours: scores(0.313, "cells-mean", 3, 0.036),
      best: scores(0.534, "sym8:cells-whiten/batch", 3, 0.009),
      control: scores(0.532, "sym8:cells-whiten/batch", 3, 0.055),
      paper: { nsc: 0.68, source: "paper" },
    },
    {
      method: "Deep transfer",
      set: null,
      ours: null,
      best: null,
      control: null,
      paper: { nsc: 0.96, source: "x" },
    },
    {
      method: "BiGAN",
      set: "bigan",
      ours: scores(0.184, "cells-mean"),
      best: scores(0.494, "p"),
      paper: { nsc: 0.7, source: "the authors' notes, not the paper" },
    },
  ];
  const text = table1Text({ rows }, "real-moa");
  const lines = text.split("\n");
  assert.match(lines[0], /^Table 1 \(real-moa\)/);
  assert.match(
    lines[3],
    /^LSGAN +68 % +31\.3 ± 3\.6 % +53\.4 ± 0\.9 % \(sym8:cells-whiten\/batch\) +43\.4 ± 0\.9 % +53\.2 ± 5\.5 %$/,
  );
  assert.match(lines[4], /^Deep transfer +96 % +– +– +– +–$/);
  assert.match(text, /± sd over 3 training seeds/);
  // A number from elsewhere than the paper is marked, and its source given.
  assert.match(lines[5], /^BiGAN +70 %\* +18\.4 %/);
  assert.equal(lines.at(-1), "* BiGAN: the authors' notes, not the paper.");
});
