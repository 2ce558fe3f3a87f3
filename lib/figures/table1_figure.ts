/**
 * The Table 1 figure: our MOA accuracy beside the paper's Table 1 (evaluate's table1.json), as a table and as
 * a dot chart.
 * @module
 */
import { join } from "node:path";
import { legendPanel, table1Chart, table1Panel, type Table1Row } from "./charts.ts";
import { stack, writeFigure, type WrittenFigure } from "./svg.ts";

/** Table 1, as a table and as a dot chart. */
export async function table1Figure(out: string, evaluationDir: string): Promise<WrittenFigure> {
  const t1 = JSON.parse(await Deno.readTextFile(join(evaluationDir, "table1.json"))) as {
    rows: Table1Row[];
    protocols?: Record<string, string>;
  };
  const chart = await table1Chart(t1.rows);
  const legend = legendPanel([
    { label: "ours, authors' protocol (treatment = mean of its cells)", color: "#1f77b4" },
    { label: "ours, best protocol", color: "#d62728", shape: "diamond" },
    { label: "paper (final)", color: "black", shape: "tick" },
    { label: "paper draft value", color: "#888", shape: "ring" },
  ], 1000);
  const ours = t1.rows.filter((r) => r.ours);
  const n = ours[0]?.ours?.nsc_n;
  return writeFigure(
    out,
    "table1",
    {
      title: "Table 1 — MOA classification accuracy: ours beside Goldsborough et al.",
      caption:
        `1-nearest-neighbour MOA accuracy (%) of treatment profiles: NSC (not-same-compound) and NSCB (not-same-compound-or-batch), averaged per treatment and per compound` +
        `${
          n ? ` (${n} treatments for NSC)` : ""
        }. "Paper" is the final Table 1 (NSC per compound); the draft column holds the preprint draft's values, labelled as such; ` +
        `VAE, CellProfiler and the deep-transfer rows are numbers the paper cites. Ours: the authors' protocol (each treatment the mean of its cells, no normalisation) and our best protocol (by NSC per compound; see evaluation.json).`,
      body: stack([table1Panel(t1.rows), chart, legend], { gap: 14 }),
    },
    t1,
  );
}
