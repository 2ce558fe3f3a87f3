/**
 * Per-cell feature sets, one task each (so that retraining one GAN recomputes only its own features):
 *
 * - `extract_<model>` (`extract_dcgan`, `extract_wgan`, `extract_lsgan`: one per GAN of the registry, declared
 *   by `tasks/models.ts`): the 100-d `latent` activations of each trained discriminator on the normalised crops (the paper's profile), or with `layers` its convolutions averaged
 *   over the image; with `symmetries: 8` also the same averaged over each cell's flips and quarter turns, as
 *   the feature set's symmetric view (`sym8/`: cells have no orientation). D's input noise
 *   is off (the authors' code left it on; `noiseStd` 0.1 restores that). A training with replicate seeds
 *   gives one feature set per seed (`replicates/<seed>/`).
 * - `extract_random`: the same from LSGAN's D as each seed initialised it, untrained: the control that says
 *   how much of a GAN's score is architecture rather than training.
 * - `extract_classical` (tasks/extract_classical.ts, a module of its own so that its code digest does not
 *   cover the models'): CellProfiler-like hand-crafted features of the raw crops.
 *
 * Each writes a feature set (lib/profiling/feature_store.ts): features.json, features.f32, cells.csv.
 * @module
 */
import { defineTask, p } from "../workflow/mod.ts";
import { normalize } from "./normalize.ts";
import type { ModelSpec } from "../lib/models/registry.ts";
import type { trainTask } from "./train.ts";
import type { FeatureLayer } from "../lib/models/encode.ts";

/** The wasm backend's thread-pool worker: started as a worker, outside the import graph the code digest follows. */
const POOL_WORKER = "lib/models/wasm/pool_worker.ts";

/** Writes the features of every normalised crop under each D of a train task's output (its replicates too). */
async function extractDiscriminator(
  ctx: {
    inputs: { crops: string; model: string };
    out: string;
    params: { noiseStd: number; batchSize: number; seed: number; layers: string[]; symmetries: number };
    settings: { backend: string };
    threads: number;
    signal: AbortSignal;
    progress: { start(n: number, unit: string): void; set(n: number): void };
    log: { info(m: string): void };
  },
  kind: string,
  untrained: boolean,
): Promise<void> {
  const { selectBackend } = await import("../lib/models/backend.ts");
  const { writeDiscriminatorFeatures } = await import("../lib/models/cell_features.ts");
  const { FEATURE_LAYERS } = await import("../lib/models/encode.ts");
  const { layers, symmetries } = ctx.params;
  for (const l of layers) {
    if (!FEATURE_LAYERS.includes(l as never)) {
      throw new Error(`${kind}: unknown layer '${l}' in layers: expected ${FEATURE_LAYERS.join(", ")}`);
    }
  }
  if (symmetries !== 1 && symmetries !== 8) {
    throw new Error(`${kind}: symmetries must be 1 or 8, got ${symmetries}`);
  }
  const backend = await selectBackend(ctx.settings.backend as Parameters<typeof selectBackend>[0], {
    threads: ctx.threads,
  });
  ctx.log.info(`backend ${backend.name}: ${backend.detail}`);
  let started = false;
  const seeds = await writeDiscriminatorFeatures(ctx.inputs.model, ctx.inputs.crops, ctx.out, {
    kind,
    untrained,
    layers: layers as FeatureLayer[],
    symmetries,
    batchSize: ctx.params.batchSize,
    noiseStd: ctx.params.noiseStd,
    seed: ctx.params.seed,
    signal: ctx.signal,
    onProgress(done, total) {
      if (!started) ctx.progress.start(total, "cells");
      started = true;
      ctx.progress.set(done);
    },
  });
  ctx.log.info(
    `${kind}: ${layers.join(" + ")} features${
      symmetries > 1 ? `, and their average over ${symmetries} symmetries` : ""
    } of D${seeds.length > 1 ? `, seeds ${seeds.join(", ")}` : ""}`,
  );
}

const latentParams = (layers: readonly string[] = ["latent"]) => ({
  layers: p.strings([...layers], {
    doc:
      "layers read as the profile: latent (the paper's 100-d; the VAE's μ, the BiGAN's E(x)), pooled (each conv layer averaged), critic (D's latent; the BiGAN's on (x, E(x)))",
  }),
  symmetries: p.int(1, {
    min: 1,
    max: 8,
    doc: "1, or 8: also each cell's features averaged over its flips and quarter turns (the sym8 view)",
  }),
  noiseStd: p.number(0, { min: 0, doc: "D's input noise while encoding (the authors' code: 0.1)" }),
  batchSize: p.int(256, { min: 1 }),
  seed: p.int(0, { min: 0, doc: "seed of the input noise" }),
});

/** A training task (`train_<model>`), the input of the feature tasks. */
type TrainTask = ReturnType<typeof trainTask>;

/**
 * Declares the feature task of one trained model of the registry, or of a second view of it (a feature set
 * with its own `layers`: `view`); `tasks/models.ts` calls it. Its code is this module's (`module`): the
 * model's id reaches the key through the task's name.
 */
export function extractTask<const M extends ModelSpec, const V extends string = M["id"]>(
  model: M,
  train: TrainTask,
  view?: { id: V; label: string; layers: readonly string[] },
) {
  return defineTask({
    name: `extract_${view?.id ?? model.id}` as `extract_${V}`,
    module: import.meta.url,
    version: 1,
    description: view
      ? `per-cell features: ${view.label} (${view.layers.join(" + ")})`
      : `per-cell features of the ${model.label} (its 100-d profile)`,
    inputs: { crops: normalize, model: train },
    params: latentParams(view?.layers),
    threaded: true,
    resources: { cpus: 2, memGiB: 8, minutes: 120 },
    files: [POOL_WORKER],
    run: (ctx) => extractDiscriminator(ctx, view?.id ?? model.id, false),
  });
}

/**
 * The same features from a GAN's discriminators as they were initialised, before training (one per seed
 * trained; the registry's control model, LSGAN): the control that says how much of a GAN's score is
 * architecture rather than training.
 */
export function randomTask(train: TrainTask) {
  return defineTask({
    name: "extract_random",
    module: import.meta.url,
    version: 1,
    description: "per-cell features of the untrained discriminator: LSGAN's D at initialisation (control)",
    inputs: { crops: normalize, model: train },
    params: latentParams(),
    threaded: true,
    resources: { cpus: 2, memGiB: 8, minutes: 120 },
    files: [POOL_WORKER],
    run: (ctx) => extractDiscriminator(ctx, "random", true),
  });
}
