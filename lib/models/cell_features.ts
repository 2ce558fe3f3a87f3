/**
 * Crops → per-cell features of a discriminator: the one code path of the `extract_*` tasks and of `deno task embed`, so
 * the two cannot drift. A crop-set folder (index CSV) becomes a raw crop store as the `crop_set` task makes
 * it (lib/data/crop_set_store.ts), a raw store is normalised as the `normalize` task does
 * (lib/imaging/normalize_store.ts), and a normalised store is encoded by D (lib/models/encode.ts). The
 * `extract_*` tasks enter at the last step (their input is the `normalize` task's output); `embed` enters
 * where its crops are, with the options the training's own crops were prepared with (its provenance:
 * lib/models/embed.ts `resolveModel`).
 * @module
 */
import { join } from "node:path";
import { type CropSetStoreOptions, cropSetToStore } from "../data/crop_set_store.ts";
import { readCrops, readCropTable } from "../imaging/crop_store.ts";
import { normalizeStore, type StoreNormalization } from "../imaging/normalize_store.ts";
import { readShard } from "../imaging/shards.ts";
import type { CellRow } from "../imaging/shards.ts";
import { encodeFeatures, type EncodeOptions, featureNames } from "./encode.ts";
import { Gan } from "./gan.ts";
import { replicateDirs } from "./train_run.ts";
import { replicateDir } from "../data/replicates.ts";
import { loadGan, readWeights } from "./weights.ts";
import { SYMMETRIC_VIEW, writeFeatureSet } from "../profiling/feature_store.ts";

/** How raw crops are prepared for D: as the training's `crop_set` and `normalize` tasks did. */
export interface CropPreparation {
  /** The `crop_set` task's options (channel order, index, batch), for a crop-set folder. */
  cropSet: CropSetStoreOptions;
  /** The `normalize` task's params, for raw crops. */
  normalization: StoreNormalization;
}

/** Options of {@linkcode cellFeatures}: the preparation, and D's readout (lib/models/encode.ts). */
export interface CellFeatureOptions extends
  Pick<
    EncodeOptions,
    "layers" | "symmetries" | "batchSize" | "noiseStd" | "seed" | "onProgress" | "signal"
  > {
  /** How to prepare a crop-set folder or a raw store; without it, only a normalised store is accepted. */
  prepare?: CropPreparation;
  /** A folder for the intermediate stores (required with `prepare`; the caller removes it). */
  work?: string;
  log?: (line: string) => void;
}

/** What {@linkcode cellFeatures} computed. */
export interface CellFeatures {
  /** The cells, in the encoded store's order. */
  rows: CellRow[];
  /** For a crop-set folder: for each row, the index of its crop in the index CSV; otherwise null. */
  order: number[] | null;
  /** `rows.length × names.length` features, row-major. */
  data: Float32Array;
  /** The features' names (lib/models/encode.ts featureNames). */
  names: string[];
  /** The normalised store that was encoded. */
  store: string;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** The element type of a crop store's first shard. */
async function storeDtype(store: string): Promise<string> {
  const rows = await readCropTable(store);
  if (rows.length === 0) throw new Error(`Cannot encode '${store}': its cells.csv lists no crops`);
  return (await readShard(join(store, rows[0].shard))).header.dtype;
}

/**
 * D's features (by default its `latent` layer) of every crop of `crops`: a normalised crop store (used as it is), or, with
 * `options.prepare`, a raw crop store or a crop-set folder (prepared as the training's crops were).
 *
 * @param gan The discriminator's model.
 * @param crops A crop store (cells.csv + shards) or a crop-set folder (index CSV).
 * @param options Preparation, batch size, noise, progress.
 * @throws Error naming the folder when it is neither, when raw crops come without `prepare`, or when the
 *   crops' side is not the model's.
 */
export async function cellFeatures(
  gan: Gan,
  crops: string,
  options: CellFeatureOptions = {},
): Promise<CellFeatures> {
  const { prepare } = options;
  const work = () => {
    if (!options.work) throw new Error("cellFeatures: preparing crops needs a work folder (options.work)");
    return options.work;
  };
  // 1. A crop-set folder → a raw crop store, as the crop_set task makes it.
  let store = crops;
  let order: number[] | null = null;
  if (!await exists(join(crops, "cells.csv"))) {
    const index = prepare?.cropSet.index ?? "index.csv";
    if (!prepare || !await exists(join(crops, index))) {
      throw new Error(
        `Cannot encode '${crops}': expected a crop store (cells.csv)${
          prepare ? ` or a crop index '${index}'` : " of normalised crops"
        }`,
      );
    }
    store = join(work(), "raw");
    order =
      (await cropSetToStore(crops, store, prepare.cropSet, { signal: options.signal, log: options.log }))
        .order;
  }
  // 2. Raw crops → normalised, as the normalize task does.
  if (await storeDtype(store) !== "float32") {
    if (!prepare) {
      throw new Error(
        `Cannot encode '${crops}': expected the normalised (float32) crops D was trained on, found raw crops`,
      );
    }
    const normalized = join(work(), "normalized");
    await normalizeStore(store, normalized, prepare.normalization, {
      signal: options.signal,
      log: options.log,
    });
    store = normalized;
  }
  // 3. The normalised store → D's features.
  const data = await readCrops(store);
  const size = gan.config.size;
  if (data.dtype !== "float32" || data.size !== size) {
    throw new Error(
      `Cannot encode ${data.dtype} crops of ${data.size} px from '${crops}' with a D of ${size} px: expected ` +
        `the normalised crops of the side it was trained on`,
    );
  }
  const layers = options.layers ?? ["latent"];
  const features = await encodeFeatures(gan, data.data as Float32Array, {
    layers,
    symmetries: options.symmetries,
    batchSize: options.batchSize,
    noiseStd: options.noiseStd,
    seed: options.seed,
    signal: options.signal,
    onProgress: options.onProgress,
  });
  return { rows: data.rows, order, data: features, names: featureNames(gan, layers), store };
}

/** Options of {@linkcode writeDiscriminatorFeatures}. */
export interface DiscriminatorFeatureOptions
  extends Pick<CellFeatureOptions, "layers" | "batchSize" | "noiseStd" | "seed" | "signal"> {
  /** The feature set's kind (`dcgan`, …, `random`). */
  kind: string;
  /** Untrained: each training's D as it was initialised (the same seed), not as it was trained. */
  untrained?: boolean;
  /**
   * 1 (default), or 8: also write each cell's features averaged over the 8 symmetries of the square, as the
   * feature set's symmetric view (`sym8/`, lib/profiling/feature_store.ts).
   */
  symmetries?: 1 | 8;
  /** Called with the cells encoded so far, over all replicates and views. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Writes the features of every cell of the normalised store `crops` under each D of the train task output
 * `trainDir` (the first seed's and each replicate's, lib/models/train_run.ts) as feature sets
 * (lib/profiling/feature_store.ts): the first in `out`, each replicate's in `out/replicates/<seed>/`; with
 * `symmetries: 8`, each with its symmetric view in `sym8/`.
 *
 * @returns the seeds, in the order written
 */
export async function writeDiscriminatorFeatures(
  trainDir: string,
  crops: string,
  out: string,
  options: DiscriminatorFeatureOptions,
): Promise<number[]> {
  const runs = await replicateDirs(trainDir);
  const cells = (await readCropTable(crops)).length;
  // Work in forward passes: the plain view takes 1 a cell, the symmetric one 8.
  const views = options.symmetries === 8 ? [[1, ""], [8, SYMMETRIC_VIEW]] as const : [[1, ""]] as const;
  const perRun = views.reduce((a, [k]) => a + k, 0) * cells;
  for (const [k, [seed, dir]] of runs.entries()) {
    const modelDir = join(dir, "model");
    const gan = options.untrained
      ? new Gan((await readWeights(modelDir)).config, undefined, seed)
      : await loadGan(modelDir);
    try {
      let before = k * perRun;
      for (const [symmetries, view] of views) {
        const f = await cellFeatures(gan, crops, {
          ...options,
          symmetries,
          onProgress: (done) => options.onProgress?.(before + symmetries * done, runs.length * perRun),
        });
        before += symmetries * cells;
        const target = join(k === 0 ? out : replicateDir(out, seed), view);
        await writeFeatureSet(target, {
          kind: options.kind,
          seed,
          names: f.names,
          data: f.data,
          rows: f.rows,
        });
      }
    } finally {
      gan.dispose();
    }
  }
  return runs.map(([seed]) => seed);
}
