/**
 * Crops → per-cell latent features: the one code path of the `extract_*` tasks and of `deno task embed`, so
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
import { encodeLatents } from "./encode.ts";
import type { Gan } from "./gan.ts";

/** How raw crops are prepared for D: as the training's `crop_set` and `normalize` tasks did. */
export interface CropPreparation {
  /** The `crop_set` task's options (channel order, index, batch), for a crop-set folder. */
  cropSet: CropSetStoreOptions;
  /** The `normalize` task's params, for raw crops. */
  normalization: StoreNormalization;
}

/** Options of {@linkcode cellLatents}. */
export interface CellLatentOptions {
  /** How to prepare a crop-set folder or a raw store; without it, only a normalised store is accepted. */
  prepare?: CropPreparation;
  /** A folder for the intermediate stores (required with `prepare`; the caller removes it). */
  work?: string;
  /** Crops per forward pass (default 256). */
  batchSize?: number;
  /** D's input noise (default 0). */
  noiseStd?: number;
  /** Seed of that noise. */
  seed?: number;
  /** Called with the crops encoded so far. */
  onProgress?: (done: number, total: number) => void;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/** What {@linkcode cellLatents} computed. */
export interface CellLatents {
  /** The cells, in the encoded store's order. */
  rows: CellRow[];
  /** For a crop-set folder: for each row, the index of its crop in the index CSV; otherwise null. */
  order: number[] | null;
  /** `rows.length × featureDim` features, row-major. */
  data: Float32Array;
  /** Features per cell. */
  featureDim: number;
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
 * D's `latent` features of every crop of `crops`: a normalised crop store (used as it is), or, with
 * `options.prepare`, a raw crop store or a crop-set folder (prepared as the training's crops were).
 *
 * @param gan The discriminator's model.
 * @param crops A crop store (cells.csv + shards) or a crop-set folder (index CSV).
 * @param options Preparation, batch size, noise, progress.
 * @throws Error naming the folder when it is neither, when raw crops come without `prepare`, or when the
 *   crops' side is not the model's.
 */
export async function cellLatents(
  gan: Gan,
  crops: string,
  options: CellLatentOptions = {},
): Promise<CellLatents> {
  const { prepare } = options;
  const work = () => {
    if (!options.work) throw new Error("cellLatents: preparing crops needs a work folder (options.work)");
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
  // 3. The normalised store → D's latent features.
  const data = await readCrops(store);
  const size = gan.config.size;
  if (data.dtype !== "float32" || data.size !== size) {
    throw new Error(
      `Cannot encode ${data.dtype} crops of ${data.size} px from '${crops}' with a D of ${size} px: expected ` +
        `the normalised crops of the side it was trained on`,
    );
  }
  const features = await encodeLatents(gan, data.data as Float32Array, {
    batchSize: options.batchSize,
    noiseStd: options.noiseStd,
    seed: options.seed,
    signal: options.signal,
    onProgress: options.onProgress,
  });
  return { rows: data.rows, order, data: features, featureDim: gan.config.featureDim, store };
}
