/**
 * Fig. 2: each GAN's images along paths between two latent vectors, linear and spherical (slerp).
 * @module
 */
import { type GanKey, GANS } from "./gans.ts";
import type { FigureParams } from "./figure_params.ts";
import { fmt } from "./format.ts";
import { type ImageGenerator, interpolate, normalLatents, row, rowNorms } from "./latent.ts";
import { rowsPanel, type TileRow } from "./panels.ts";
import { type Panel, stack, writeFigure, type WrittenFigure } from "./svg.ts";

/** Fig. 2: latent interpolation, linear and spherical, per GAN. */
export async function figure2(
  out: string,
  generators: ReadonlyMap<GanKey, ImageGenerator>,
  size: number,
  P: FigureParams,
): Promise<WrittenFigure> {
  const steps = Math.max(2, P.interpolationSteps);
  const sections: Panel[] = [];
  const labels: string[] = [];
  const norms: Record<string, unknown> = {};
  const d = generators.get(GANS[0][0])!.latentDim;
  const ends = normalLatents(2 * P.interpolationPairs, d, P.seed + 200);
  for (const [key, name] of GANS) {
    const g = generators.get(key)!;
    const rows: TileRow[] = [];
    for (let p = 0; p < P.interpolationPairs; p++) {
      const a = row(ends, 2 * p, d), b = row(ends, 2 * p + 1, d);
      for (const kind of ["linear", "slerp"] as const) {
        const z = interpolate(a, b, steps, kind);
        rows.push({ label: `pair ${p + 1}, ${kind}`, images: await g.generate(z, steps), n: steps });
        // The same z for every GAN: their norms once.
        if (key === GANS[0][0]) norms[`pair${p + 1}_${kind}`] = rowNorms(z, d);
      }
    }
    sections.push(
      rowsPanel(rows, size, {
        columnLabels: Array.from(
          { length: steps },
          (_, k) => (k === 0 ? "z₁" : k === steps - 1 ? "z₂" : `t=${(k / (steps - 1)).toFixed(2)}`),
        ),
      }),
    );
    labels.push(name);
  }
  const mid = (norms["pair1_linear"] as number[] | undefined)?.[Math.floor(steps / 2)];
  const midS = (norms["pair1_slerp"] as number[] | undefined)?.[Math.floor(steps / 2)];
  return writeFigure(
    out,
    "fig2_interpolation",
    {
      title: "Fig. 2 — Interpolating between two latent vectors",
      caption:
        `For ${P.interpolationPairs} pairs of latent vectors z₁, z₂ ~ N(0, I) (${d}-d, seed ${
          P.seed + 200
        }), each generator's images along ${steps} evenly spaced points: ` +
        `linear, (1 − t)·z₁ + t·z₂, and spherical (slerp), which follows the great circle. ` +
        `The linear path leaves the shell where Gaussian samples live (pair 1: ‖z‖ ${
          fmt(norms["pair1_linear"] ? (norms["pair1_linear"] as number[])[0] : NaN)
        } at z₁, ${fmt(mid ?? NaN)} half way; slerp ${fmt(midS ?? NaN)}).`,
      body: stack(sections, { gap: 14, labels }),
    },
    { steps, pairs: P.interpolationPairs, latentDim: d, seed: P.seed + 200, normsAlongPaths: norms },
  );
}
