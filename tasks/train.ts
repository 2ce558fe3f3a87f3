/**
 * `train_<model>`: one declaration for every GAN of the registry (lib/models/registry.ts; `tasks/models.ts`
 * declares them), tasks that differ only by their loss (a param, defaulting to the model's) and its default
 * learning rates. Each reads the normalised crop store, trains the GAN of lib/models/gan.ts with
 * the shared loop of lib/models/train.ts on the backend chosen by `--backend` (auto: tensorflow → webgpu on
 * real hardware → wasm → cpu), and writes a run folder (lib/models/train_run.ts):
 *
 * ```
 * model/            final weights (tfjs format: model.json + weights.bin), G and D
 * curves.json       per step: D loss, G loss (and for WGAN the critic gap and gradient penalty)
 * samples/          PNG grids of G's samples of a fixed z every `sampleEvery` steps, and final.png
 * train.json        settings, the backend's name, cells used, steps (timing and resume point: the manifest's facts)
 * replicates/<s>/   with `seeds` > 1: the same for seeds seed + 1, …, one after the other
 * ```
 * Cells come from the store's cell table and, when the crop set has any, its training-only table.
 * The checkpoint directory holds `checkpoint.bin` every `checkpointEvery` steps (one per seed): a killed
 * training resumes from it bit for bit. A NaN or diverging loss stops with a clear error and keeps the last
 * good checkpoint.
 * @module
 */
import { join } from "node:path";
import { defineTask, p } from "../workflow/mod.ts";
import {
  AUGMENTATIONS,
  DEFAULT_LEARNING_RATES,
  GAN_LOSS_NAMES,
  UPSAMPLINGS,
} from "../lib/models/hyperparams.ts";
import type { ModelSpec } from "../lib/models/registry.ts";
import { normalize } from "./normalize.ts";

/**
 * Declares the training task of one GAN of the registry. The task's code is this module's (`module`), not the
 * registry's: what the model entry decides reaches the key through the task's name and params.
 */
export function trainTask<const M extends ModelSpec>(model: M) {
  const lr = DEFAULT_LEARNING_RATES[model.loss];
  return defineTask({
    name: `train_${model.id}` as `train_${M["id"]}`,
    module: import.meta.url,
    version: 1,
    description: `${model.label} trained on the normalised crops`,
    inputs: { crops: normalize },
    publish: ["train.json", "curves.json", "samples"],
    threaded: true,
    // On a cluster: a share of a node for a few hours (the paper profile asks for a GPU and days).
    resources: { cpus: 2, memGiB: 8, minutes: 8 * 60 },
    // Started as a worker, outside the import graph, by the wasm backend's thread pool.
    files: ["lib/models/wasm/pool_worker.ts"],
    params: {
      loss: p.oneOf(GAN_LOSS_NAMES, model.loss, { doc: "the GAN loss (the model's)" }),
      steps: p.int(2000, { min: 1, doc: "training steps (one D and one G update each)" }),
      width: p.number(1, { min: 1 / 32, max: 4, doc: "filter-count multiplier (1: the paper's network)" }),
      batchSize: p.int(64, { min: 2, doc: "batch size (the paper: 64)" }),
      seed: p.int(0, { min: 0 }),
      seeds: p.int(1, { min: 1, max: 16, doc: "replicate trainings, seeds seed … seed + seeds − 1" }),
      lrD: p.number(lr.d, { min: 0, doc: "D's learning rate (the authors')" }),
      lrG: p.number(lr.g, { min: 0, doc: "G's learning rate (the authors')" }),
      lrDecay: p.number(0.9999, { min: 0, max: 1, doc: "× every 100 G steps" }),
      inputNoise: p.number(model.loss === "vae" ? 0 : 0.1, {
        min: 0,
        doc: "std of D's input noise while training (the authors': 0.1; the VAE's encoder: 0)",
      }),
      augment: p.oneOf(AUGMENTATIONS, "none", {
        doc: "augmentation of the real crops: dihedral = random flips and quarter turns",
      }),
      upsample: p.oneOf(UPSAMPLINGS, "nearest", {
        doc: "G's 2× upsampling before each convolution: nearest (the authors') or bilinear",
      }),
      maxCells: p.int(0, { min: 0, doc: "train on at most this many cells, drawn with the seed (0: all)" }),
      checkpointEvery: p.int(100, { min: 1 }),
      sampleEvery: p.int(500, { min: 1 }),
      sampleCount: p.int(64, { min: 1, max: 256 }),
    },
    async run(ctx) {
      const { readCrops, readTrainingTable } = await import("../lib/imaging/crop_store.ts");
      const { selectBackend } = await import("../lib/models/backend.ts");
      const { REPLICATES, trainRun } = await import("../lib/models/train_run.ts");
      const { Rng } = await import("../lib/models/rng.ts");
      const P = ctx.params;

      const backend = await selectBackend(ctx.settings.backend as Parameters<typeof selectBackend>[0], {
        threads: ctx.threads,
      });
      ctx.log.info(`backend ${backend.name}: ${backend.reason}; ${backend.detail}`);
      const table = await readTrainingTable(ctx.inputs.crops);
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
      ctx.progress.start(P.steps * P.seeds, "steps");
      // Timing and the device go to the manifest (ctx.record), not into the outputs.
      const facts: Record<string, unknown> = {};
      ctx.record({ backend: { name: backend.name, reason: backend.reason, detail: backend.detail } });
      for (let k = 0; k < P.seeds; k++) {
        const seed = P.seed + k;
        const out = k === 0 ? ctx.out : join(ctx.out, REPLICATES, String(seed));
        const checkpointDir = k === 0 ? ctx.checkpoint : join(ctx.checkpoint, String(seed));
        await Deno.mkdir(checkpointDir, { recursive: true });
        if (P.seeds > 1) ctx.log.info(`seed ${seed} (${k + 1} of ${P.seeds})`);
        facts[seed] = await trainRun(
          crops.data as Float32Array,
          {
            loss: P.loss,
            size: crops.size,
            steps: P.steps,
            width: P.width,
            batchSize: P.batchSize,
            seed,
            lrD: P.lrD,
            lrG: P.lrG,
            lrDecay: P.lrDecay,
            inputNoise: P.inputNoise,
            augment: P.augment,
            upsample: P.upsample,
            checkpointDir,
            checkpointEvery: P.checkpointEvery,
            sampleEvery: P.sampleEvery,
            sampleCount: P.sampleCount,
            signal: ctx.signal,
          },
          out,
          { backend, cells: crops.rows.length, normalization: crops.normalization },
          {
            onStep(step, note) {
              ctx.progress.set(k * P.steps + step);
              ctx.progress.note(note);
            },
            log: (line) => ctx.log.info(line),
          },
        );
        ctx.record({ training: facts });
      }
    },
  });
}
