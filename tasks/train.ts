/**
 * `train_dcgan`, `train_wgan`, `train_lsgan`: one declaration, three tasks that differ only by their loss (and
 * its default learning rates). Each reads the normalised crop store, trains the GAN of lib/models/gan.ts with
 * the shared loop of lib/models/train.ts on the backend chosen by `--backend` (auto: tensorflow → webgpu on
 * real hardware → wasm → cpu), and writes:
 *
 * ```
 * model/            final weights (tfjs format: model.json + weights.bin), G and D
 * curves.json       per step: D loss, G loss (and for WGAN the critic gap and gradient penalty)
 * samples/          PNG grids of G's samples of a fixed z every `sampleEvery` steps, and final.png
 * train.json        settings, backend, cells used, steps run, resume point, timing
 * ```
 * The checkpoint directory holds `checkpoint.bin` every `checkpointEvery` steps: a killed training resumes from
 * it bit for bit. A NaN or diverging loss stops with a clear error and keeps the last good checkpoint.
 * @module
 */
import { join } from "node:path";
import { defineTask, p } from "../workflow/mod.ts";
import { DEFAULT_LEARNING_RATES } from "../lib/models/hyperparams.ts";
import { normalize } from "./normalize.ts";

type Loss = "dcgan" | "wgan" | "lsgan";

/** Declares the training task of one loss. */
export function trainTask<L extends Loss>(loss: L) {
  const lr = DEFAULT_LEARNING_RATES[loss];
  return defineTask({
    name: `train_${loss}`,
    version: 1,
    description: `${loss === "wgan" ? "WGAN-GP" : loss.toUpperCase()} trained on the normalised crops`,
    inputs: { crops: normalize },
    publish: ["train.json", "curves.json", "samples"],
    params: {
      steps: p.int(2000, { min: 1, doc: "training steps (one D and one G update each)" }),
      width: p.number(1, { min: 1 / 32, max: 4, doc: "filter-count multiplier (1: the paper's network)" }),
      batchSize: p.int(64, { min: 2, doc: "batch size (the paper: 64)" }),
      seed: p.int(0, { min: 0 }),
      lrD: p.number(lr.d, { min: 0, doc: "D's learning rate (the authors')" }),
      lrG: p.number(lr.g, { min: 0, doc: "G's learning rate (the authors')" }),
      lrDecay: p.number(0.9999, { min: 0, max: 1, doc: "× every 100 G steps" }),
      maxCells: p.int(0, { min: 0, doc: "train on at most this many cells, drawn with the seed (0: all)" }),
      checkpointEvery: p.int(100, { min: 1 }),
      sampleEvery: p.int(500, { min: 1 }),
      sampleCount: p.int(64, { min: 1, max: 256 }),
    },
    async run(ctx) {
      const { readCrops, readCropTable } = await import("../lib/imaging/crop_store.ts");
      const { selectBackend } = await import("../lib/models/backend.ts");
      const { train } = await import("../lib/models/train.ts");
      const { saveGan } = await import("../lib/models/weights.ts");
      const { Rng } = await import("../lib/models/rng.ts");
      const { imageGridPng } = await import("../lib/figures/image_grid.ts");
      const P = ctx.params;

      const backend = await selectBackend(ctx.settings.backend as Parameters<typeof selectBackend>[0]);
      ctx.log.info(`backend ${backend.name}: ${backend.reason}`);
      const table = await readCropTable(ctx.inputs.crops);
      let indices = table.map((_, i) => i);
      if (P.maxCells > 0 && P.maxCells < table.length) {
        const rng = new Rng(P.seed + 1);
        for (let i = indices.length - 1; i > 0; i--) {
          const j = Math.floor(rng.uniform() * (i + 1));
          [indices[i], indices[j]] = [indices[j], indices[i]];
        }
        indices = indices.slice(0, P.maxCells).sort((a, b) => a - b);
      }
      const crops = await readCrops(ctx.inputs.crops, { rows: table, indices });
      if (crops.dtype !== "float32") {
        throw new Error(
          `Cannot train on '${ctx.inputs.crops}': expected normalised float32 crops, found ${crops.dtype}`,
        );
      }
      if (crops.size % 8 !== 0) {
        throw new Error(
          `Cannot train on ${crops.size}×${crops.size} crops: the networks need a multiple of 8 (set normalize.size)`,
        );
      }
      ctx.log.info(`${crops.rows.length} cells of ${crops.size}×${crops.size} (${crops.normalization})`);
      await Deno.mkdir(join(ctx.out, "samples"), { recursive: true });
      const scale = Math.max(1, Math.round(64 / crops.size));
      const writeGrid = (name: string, images: Float32Array, n: number, s: number) =>
        Deno.writeFile(join(ctx.out, "samples", name), imageGridPng(images, n, s, { scale, columns: 8 }));

      ctx.progress.start(P.steps, "steps");
      const t0 = performance.now();
      const result = await train(crops.data as Float32Array, {
        loss,
        size: crops.size,
        steps: P.steps,
        width: P.width,
        batchSize: P.batchSize,
        seed: P.seed,
        lrD: P.lrD,
        lrG: P.lrG,
        lrDecay: P.lrDecay,
        checkpointDir: ctx.checkpoint,
        checkpointEvery: P.checkpointEvery,
        sampleEvery: P.sampleEvery,
        sampleCount: P.sampleCount,
        signal: ctx.signal,
        onProgress(pr) {
          ctx.progress.set(pr.step);
          ctx.progress.note(
            `D ${pr.dLoss.toFixed(3)}  G ${pr.gLoss.toFixed(3)}${
              pr.gap !== undefined ? `  gap ${pr.gap.toFixed(3)}` : ""
            }`,
          );
        },
        async onSamples(step, images, shape) {
          await writeGrid(`step_${String(step).padStart(6, "0")}.png`, images, shape[0], shape[1]);
        },
      });
      if (result.resumedFrom !== null) {
        ctx.log.info(`resumed from the checkpoint at step ${result.resumedFrom}`);
      }
      const seconds = (performance.now() - t0) / 1000;
      await saveGan(result.gan, join(ctx.out, "model"));
      const last = `step_${String(P.steps).padStart(6, "0")}.png`;
      await Deno.copyFile(join(ctx.out, "samples", last), join(ctx.out, "samples", "final.png"));
      await Deno.writeTextFile(join(ctx.out, "curves.json"), JSON.stringify(result.curves) + "\n");
      await Deno.writeTextFile(
        join(ctx.out, "train.json"),
        JSON.stringify(
          {
            loss,
            settings: result.settings,
            backend,
            cells: crops.rows.length,
            size: crops.size,
            normalization: crops.normalization,
            steps: P.steps,
            stepsRun: result.stepsRun,
            resumedFrom: result.resumedFrom,
            seconds,
            stepsPerSecond: result.stepsRun / Math.max(result.seconds, 1e-9),
          },
          null,
          2,
        ) + "\n",
      );
      result.gan.dispose();
    },
  });
}

/** The three trainings. */
export const trainDcgan = trainTask("dcgan");
export const trainWgan = trainTask("wgan");
export const trainLsgan = trainTask("lsgan");
