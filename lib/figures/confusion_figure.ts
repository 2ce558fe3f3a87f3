/**
 * The confusion figure: each feature set's NSC confusion matrix of MOAs under the authors' protocol
 * (evaluate's evaluation.json, the first seed's report).
 * @module
 */
import { confusionPanel, grid } from "./charts.ts";
import { SET_NAMES } from "./gans.ts";
import { pct } from "./format.ts";
import { type Panel, writeFigure, type WrittenFigure } from "./svg.ts";

interface EvalSet {
  [protocol: string]: {
    summary: Record<string, number>;
    report: { nsc: { confusion: { labels: string[]; matrix: number[][] }; per_compound: number; n: number } };
  };
}

/** NSC confusion matrices of every feature set under the authors' protocol. */
export async function confusionFigure(
  out: string,
  evaluation: Record<string, EvalSet>,
): Promise<WrittenFigure> {
  const panels: Panel[] = [];
  const labels: string[] = [];
  const data: Record<string, unknown> = {};
  for (const [set, protocols] of Object.entries(evaluation)) {
    const r = protocols["cells-mean"]?.report?.nsc;
    if (!r?.confusion) continue;
    panels.push(await confusionPanel(r.confusion.labels, r.confusion.matrix));
    labels.push(`${SET_NAMES[set] ?? set}: NSC ${pct(r.per_compound)} per compound`);
    data[set] = { protocol: "cells-mean", ...r.confusion, nsc_per_compound: r.per_compound, n: r.n };
  }
  return writeFigure(
    out,
    "confusion",
    {
      title: "Confusion matrices of MOA classification (NSC, authors' protocol)",
      caption:
        "For each feature set, the MOA of each treatment (rows) against the MOA of its nearest neighbour among treatments of other compounds (columns), " +
        "treatment profiles being the mean of their cells. Numbers: treatments; shading: fraction of the row.",
      body: grid(panels, 3, labels, 20),
    },
    data,
  );
}
