/**
 * The training curves figure: D and G losses per step of each GAN (its first seed's training).
 * @module
 */
import { join } from "node:path";
import { type Curves, curvesPanel } from "./charts.ts";
import { GANS } from "./gans.ts";
import type { FigureInputs } from "./figure_params.ts";
import { type Panel, stack, writeFigure, type WrittenFigure } from "./svg.ts";

/** Training curves of every GAN of the registry. */
export async function curvesFigure(out: string, inputs: FigureInputs): Promise<WrittenFigure> {
  const panels: Panel[] = [];
  const labels: string[] = [];
  const data: Record<string, unknown> = {};
  for (const [key, name] of GANS) {
    const curves = JSON.parse(await Deno.readTextFile(join(inputs[key], "curves.json"))) as Curves;
    panels.push(await curvesPanel(curves));
    const steps = curves.step.length;
    labels.push(`${name} (${steps} steps)`);
    const last = (
      v?: number[],
    ) => (v && v.length
      ? v.slice(-Math.max(1, Math.round(v.length / 10))).reduce((a, b) => a + b, 0) /
        Math.max(1, Math.round(v.length / 10))
      : null);
    data[key] = {
      steps,
      finalDLoss: last(curves.dLoss),
      finalGLoss: last(curves.gLoss),
      finalGap: last(curves.gap),
    };
  }
  return writeFigure(
    out,
    "training_curves",
    {
      title: "Training curves",
      caption:
        "Discriminator and generator losses per step (faint: per step; solid: moving average over 2 % of the run). " +
        "DCGAN: cross-entropy; LSGAN: least squares; WGAN-GP: critic loss with its critic gap (real − fake score) and gradient penalty; BiGAN: least squares of D on (image, code) pairs, G's, and its encoder E's (the third curve). " +
        "Final values (mean of the last 10 % of steps) are in the JSON.",
      body: stack(panels, { gap: 12, labels }),
    },
    data,
  );
}
