/**
 * Per-cell feature sets, one task each (so that retraining one GAN recomputes only its own features):
 *
 * - `extract_dcgan`, `extract_wgan`, `extract_lsgan`: the 100-d `latent` activations of each trained
 *   discriminator on the normalised crops. D's input noise is off (the authors' code left it on; `noiseStd`
 *   0.1 restores that).
 * - `extract_random`: the same architecture, untrained (randomly initialised with `seed`): the control that
 *   says how much of a GAN's score is architecture rather than training.
 * - `extract_classical`: CellProfiler-like hand-crafted features (lib/profiling/classical.ts) of the raw crops.
 *
 * Each writes a feature set (lib/profiling/feature_store.ts): features.json, features.f32, cells.csv.
 * @module
 */
import { defineTask, oneOf, p } from "../workflow/mod.ts";
import { cropSet } from "./crop_set.ts";
import { normalize } from "./normalize.ts";
import { segment } from "./segment.ts";
import { trainDcgan, trainLsgan, trainWgan } from "./train.ts";

/**
 * Encodes every normalised crop with D of `model` (a train task's output dir, or a config for `random`), by
 * the code path `deno task embed` uses (lib/models/cell_features.ts).
 */
async function extractLatents(
  ctx: {
    inputs: { crops: string; model: string };
    out: string;
    params: { noiseStd: number; batchSize: number; seed: number };
    settings: { backend: string };
    signal: AbortSignal;
    progress: { start(n: number, unit: string): void; set(n: number): void };
    log: { info(m: string): void };
  },
  kind: string,
  random: boolean,
): Promise<void> {
  const { join } = await import("node:path");
  const { readCropTable } = await import("../lib/imaging/crop_store.ts");
  const { selectBackend } = await import("../lib/models/backend.ts");
  const { cellLatents } = await import("../lib/models/cell_features.ts");
  const { Gan } = await import("../lib/models/gan.ts");
  const { loadGan, readWeights } = await import("../lib/models/weights.ts");
  const { writeFeatureSet } = await import("../lib/profiling/feature_store.ts");
  const backend = await selectBackend(ctx.settings.backend as Parameters<typeof selectBackend>[0]);
  ctx.log.info(`backend ${backend.name}`);
  const modelDir = join(ctx.inputs.model, "model");
  const gan = random
    ? new Gan((await readWeights(modelDir)).config, undefined, ctx.params.seed)
    : await loadGan(modelDir);
  ctx.progress.start((await readCropTable(ctx.inputs.crops)).length, "cells");
  try {
    const { rows, data, featureDim } = await cellLatents(gan, ctx.inputs.crops, {
      batchSize: ctx.params.batchSize,
      noiseStd: ctx.params.noiseStd,
      seed: ctx.params.seed,
      signal: ctx.signal,
      onProgress: (done: number) => ctx.progress.set(done),
    });
    const names = Array.from({ length: featureDim }, (_, i) => `f${i}`);
    await writeFeatureSet(ctx.out, { kind, names, data, rows });
    ctx.log.info(`${rows.length} cells × ${names.length} features`);
  } finally {
    gan.dispose();
  }
}

const latentParams = {
  noiseStd: p.number(0, { min: 0, doc: "D's input noise while encoding (the authors' code: 0.1)" }),
  batchSize: p.int(256, { min: 1 }),
  seed: p.int(0, { min: 0 }),
};

/** Declares the latent-feature task of one trained GAN. */
function extractGan<N extends string>(
  name: N,
  kind: string,
  model: typeof trainDcgan | typeof trainWgan | typeof trainLsgan,
) {
  return defineTask({
    name,
    version: 1,
    description: `per-cell 100-d latent features of the ${kind.toUpperCase()} discriminator`,
    inputs: { crops: normalize, model },
    params: latentParams,
    run: (ctx) => extractLatents(ctx, kind, false),
  });
}

/** Latent features of the trained discriminators. */
export const extractDcgan = extractGan("extract_dcgan", "dcgan", trainDcgan);
export const extractWgan = extractGan("extract_wgan", "wgan", trainWgan);
export const extractLsgan = extractGan("extract_lsgan", "lsgan", trainLsgan);

/** Latent features of an untrained discriminator of the same architecture (LSGAN's config). */
export const extractRandom = defineTask({
  name: "extract_random",
  version: 1,
  description: "per-cell 100-d features of an untrained, randomly initialised discriminator (control)",
  inputs: { crops: normalize, model: trainLsgan },
  params: latentParams,
  run: (ctx) => extractLatents(ctx, "random", true),
});

/** Classical hand-crafted features of the raw crops. */
export const extractClassical = defineTask({
  name: "extract_classical",
  version: 1,
  description:
    "per-cell CellProfiler-like features: intensity, shape, radial distribution, texture, correlation",
  inputs: { cells: oneOf(segment, cropSet) },
  params: {
    greyLevels: p.int(8, { min: 2, max: 64, doc: "Haralick grey levels" }),
    textureDistances: p.numbers([1, 3], { doc: "Haralick offsets in pixels" }),
    rings: p.int(4, { min: 1, max: 16, doc: "radial distribution rings" }),
  },
  async run(ctx) {
    const { readCropTable, readCrops } = await import("../lib/imaging/crop_store.ts");
    const { classicalFeatures, featureNames } = await import("../lib/profiling/classical.ts");
    const { writeFeatureSet } = await import("../lib/profiling/feature_store.ts");
    const options = {
      levels: ctx.params.greyLevels,
      distances: ctx.params.textureDistances,
      rings: ctx.params.rings,
    };
    const names = featureNames(options);
    const table = await readCropTable(ctx.inputs.cells);
    const data = new Float32Array(table.length * names.length);
    ctx.progress.start(table.length, "cells");
    // In chunks, so that only a chunk of crops is in memory at a time.
    const chunk = 2048;
    for (let i = 0; i < table.length; i += chunk) {
      ctx.signal.throwIfAborted();
      const indices = Array.from({ length: Math.min(chunk, table.length - i) }, (_, k) => i + k);
      const crops = await readCrops(ctx.inputs.cells, { rows: table, indices });
      if (crops.dtype !== "uint16") {
        throw new Error(
          `Cannot measure '${ctx.inputs.cells}': expected raw uint16 crops, found ${crops.dtype}`,
        );
      }
      const per = crops.size * crops.size * 3;
      for (let k = 0; k < indices.length; k++) {
        const f = classicalFeatures(
          { size: crops.size, data: crops.data.subarray(k * per, (k + 1) * per) },
          {},
          options,
        );
        data.set(f, (i + k) * names.length);
      }
      ctx.progress.set(i + indices.length);
    }
    await writeFeatureSet(ctx.out, { kind: "classical", names, data, rows: table });
    ctx.log.info(`${table.length} cells × ${names.length} features`);
  },
});
