/**
 * `figures`: every figure of the report as SVG, PNG and a JSON of the numbers behind it
 * (lib/figures/figures.ts): real cells (a few of each MOA where the crops carry MOAs) beside generated ones
 * (Fig. 1), latent interpolation (Fig. 2), latent vector algebra found and measured (Fig. 3), Table 1 beside
 * the paper (± sd over training seeds, the untrained control), training curves, confusion matrices, 2-D maps
 * of treatment profiles (PCA, UMAP), and the realism of every training seed of each GAN (Fréchet distance,
 * 1-NN two-sample test and spread in classical-feature and discriminator spaces, mean ± sd over seeds), and
 * real cells in the latent space of the models with an encoder (VAE, BiGAN): reconstructions, interpolation
 * between real cells, treatment vectors and the dose direction, measured against real treated cells.
 * `figures.json` lists them with captions.
 * @module
 */
import { defineTask, p } from "../workflow/mod.ts";
import { aggregate } from "./aggregate.ts";
import { evaluate } from "./evaluate.ts";
import { normalize } from "./normalize.ts";
import { ENCODER_TRAININGS, GAN_TRAININGS } from "./models.ts";

/** The figures task. */
export const figures = defineTask({
  name: "figures",
  version: 1,
  description: "every figure (SVG, PNG, caption, numbers): samples, interpolation, algebra, Table 1, realism",
  inputs: {
    crops: normalize,
    ...GAN_TRAININGS,
    ...ENCODER_TRAININGS,
    profiles: aggregate,
    evaluation: evaluate,
  },
  publish: true,
  params: {
    seed: p.int(0, { min: 0 }),
    samples: p.int(36, { min: 1, max: 400, doc: "crops per panel of Fig. 1" }),
    interpolationPairs: p.int(2, { min: 1, max: 10, doc: "pairs z₁, z₂ per GAN in Fig. 2" }),
    interpolationSteps: p.int(9, { min: 2, max: 32, doc: "images per interpolation row" }),
    algebraSamples: p.int(1000, {
      min: 20,
      doc: "latent vectors per GAN and attribute (half fit, half held out)",
    }),
    algebraExamples: p.int(6, { min: 1, max: 16, doc: "example columns of Fig. 3" }),
    decile: p.number(0.1, {
      min: 0.01,
      max: 0.5,
      doc: "top/bottom fraction defining an attribute direction",
    }),
    realismSamples: p.int(1000, { min: 10, doc: "real and generated cells per realism comparison" }),
    umapNeighbors: p.int(15, { min: 2, doc: "UMAP neighbours (capped at treatments − 1)" }),
    batchSize: p.int(128, { min: 1, doc: "images per generator or discriminator pass" }),
    latentBase: p.int(64, { min: 2, doc: "held-out DMSO cells each treatment vector is added to" }),
    latentPerTreatment: p.int(100, { min: 3, doc: "at most this many cells of each treatment encoded" }),
  },
  async run(ctx) {
    const { selectBackend } = await import("../lib/models/backend.ts");
    const { makeFigures } = await import("../lib/figures/figures.ts");
    const backend = await selectBackend(ctx.settings.backend as Parameters<typeof selectBackend>[0]);
    ctx.log.info(`backend ${backend.name}`);
    const figs = await makeFigures(ctx.inputs, ctx.out, ctx.params, {
      log: ctx.log,
      progress: ctx.progress,
      signal: ctx.signal,
    });
    ctx.log.info(`${figs.length} figures`);
  },
});
