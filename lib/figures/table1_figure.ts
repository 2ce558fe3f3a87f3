/**
 * The Table 1 figure: our MOA accuracy beside the paper's Table 1 (evaluate's table1.json), as a table and as
 * a dot chart.
 * @module
 */
import { join } from "node:path";
import { legendPanel, table1Chart, table1Panel, type Table1Row } from "./charts.ts";
import { stack, writeFigure, type WrittenFigure } from "./svg.ts";

/**
 * Table 1, as a table and as a dot chart: ours (mean ± sd over training seeds where there are several), the
 * untrained control under each GAN's best protocol where table1.json has it, and the paper's numbers. Files
 * written before replicate seeds (no `n_seeds`, `sd` or `control`) are read as one seed without control.
 */
export async function table1Figure(out: string, evaluationDir: string): Promise<WrittenFigure> {
  const file = join(evaluationDir, "table1.json");
  const t1 = JSON.parse(await Deno.readTextFile(file)) as {
    rows: Table1Row[];
    protocols?: Record<string, string>;
  };
  if (!Array.isArray(t1?.rows)) {
    throw new Error(
      `Cannot draw Table 1 from '${file}': expected an object with rows, found ${typeof t1?.rows}`,
    );
  }
  const chart = await table1Chart(t1.rows);
  const hasControl = t1.rows.some((r) => r.control);
  const seeds = [...new Set(t1.rows.flatMap((r) => (r.best ? [r.best.n_seeds ?? 1] : [])))].sort((a, b) =>
    a - b
  );
  const manySeeds = seeds.some((n) => n > 1);
  const legend = legendPanel([
    { label: "ours, authors' protocol (treatment = mean of its cells)", color: "#1f77b4" },
    { label: "ours, best protocol", color: "#d62728", shape: "diamond" },
    ...(manySeeds ? [{ label: "± 1 sd over training seeds", color: "#1f77b4", shape: "line" as const }] : []),
    ...(hasControl
      ? [{ label: "untrained control, the model's best protocol", color: "#666", shape: "cross" as const }]
      : []),
    { label: "paper (final)", color: "black", shape: "tick" },
    { label: "paper draft value", color: "#888", shape: "ring" },
  ], 1000);
  const ours = t1.rows.filter((r) => r.ours);
  const n = ours[0]?.ours?.nsc_n;
  const seedText = manySeeds
    ? ` Ours is the mean over training seeds ± their standard deviation (${
      t1.rows.filter((r) => r.best && (r.best.n_seeds ?? 1) > 1).map((r) => `${r.method} ${r.best!.n_seeds}`)
        .join(", ")
    } seeds; the others one).`
    : "";
  const controlText = hasControl
    ? ` Control: the same features from an untrained discriminator (LSGAN's D at initialisation, one per LSGAN seed) under each model's best protocol; what training adds is the difference.`
    : "";
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
        `VAE, CellProfiler and the deep-transfer rows are numbers the paper cites; the BiGAN's 70 % is from the authors' repository's notes (README, poster), not the paper. Ours: the authors' protocol (each treatment the mean of its cells, no normalisation) and our best protocol (by NSC per compound; see evaluation.json).` +
        seedText + controlText,
      body: stack([table1Panel(t1.rows), chart, legend], { gap: 14 }),
    },
    t1,
  );
}
