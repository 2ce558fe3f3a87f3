/**
 * The profile map figure: every feature set's treatment profiles in two dimensions (PCA and UMAP), coloured by
 * MOA.
 * @module
 */
import { join } from "node:path";
import { tableFromJson } from "../profiling/table_io.ts";
import type { AggregateRow } from "../profiling/types.ts";
import { legendPanel, mapPanel, moaColors } from "./charts.ts";
import { pca2, umap2 } from "./embed.ts";
import { SET_NAMES } from "./gans.ts";
import type { FigureParams } from "./figure_params.ts";
import { pct } from "./format.ts";
import { type Panel, stack, writeFigure, type WrittenFigure } from "./svg.ts";

/** Treatment profiles of every feature set in 2-D (PCA and UMAP), coloured by MOA. */
export async function mapFigure(
  out: string,
  profilesDir: string,
  sets: readonly string[],
  P: FigureParams,
): Promise<WrittenFigure> {
  const pcaPanels: Panel[] = [], umapPanels: Panel[] = [], labels: string[] = [];
  const data: Record<string, unknown> = {};
  let colors = new Map<string, string>();
  for (const set of sets) {
    const file = join(profilesDir, set, "treatments_cells.json");
    const t = tableFromJson<AggregateRow>(await Deno.readTextFile(file), file);
    const n = t.rows.length, d = t.features.length;
    const moas = t.rows.map((r) => r.moa ?? "none");
    if (colors.size === 0) colors = moaColors(moas);
    const pca = pca2(t.data, n, d);
    const umap = await umap2(t.data, n, d, { nNeighbors: P.umapNeighbors, seed: P.seed });
    const ev = pca.explained ?? [0, 0];
    pcaPanels.push(
      await mapPanel(pca.points, moas, colors, {
        xLabel: `PC1 (${pct(ev[0])})`,
        yLabel: `PC2 (${pct(ev[1])})`,
      }),
    );
    umapPanels.push(await mapPanel(umap.points, moas, colors, { xLabel: "UMAP 1", yLabel: "UMAP 2" }));
    labels.push(`${SET_NAMES[set] ?? set} (${n} treatments, ${d} features)`);
    data[set] = {
      treatments: t.rows.map((r, i) => ({
        compound: r.compound,
        concentration: r.concentration,
        moa: r.moa,
        pca: pca.points[i],
        umap: umap.points[i],
      })),
      pcaExplained: pca.explained,
    };
  }
  const legend = legendPanel([...colors].map(([label, color]) => ({ label, color })), 1100);
  return writeFigure(
    out,
    "profile_map",
    {
      title: "Treatment profiles in two dimensions, coloured by mechanism of action",
      caption:
        "Each dot is a treatment (compound at a concentration), its profile the mean of its cells' features, z-scored per feature. " +
        `Top row: the first two principal components (share of variance in the axis labels); bottom row: UMAP (umap-js, ${P.umapNeighbors} neighbours or fewer, seed ${P.seed}). DMSO is grey.`,
      body: stack([
        stack(pcaPanels, { direction: "row", gap: 12, labels }),
        stack(umapPanels, { direction: "row", gap: 12 }),
        legend,
      ], { gap: 10 }),
    },
    data,
  );
}
