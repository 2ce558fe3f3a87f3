/**
 * Profiles new cells with a trained model, outside the DAG (`deno task embed`): the 100-d `latent` of a
 * trained discriminator for every crop of a crop set (a folder with an index CSV, lib/data/crops.ts) or of a
 * crop store (cells.csv + shards), written as CSV: the index's columns, then `f0..f99`.
 *
 * Crops are prepared exactly as the model's training crops were, by the code path of the `extract_*` tasks
 * (lib/models/cell_features.ts): the crop-set options (channel order, batch) and the normalisation (method,
 * side, quantiles, control-cell minimum) are read from the provenance of the training run — the train task's
 * manifest names its `normalize` input, whose manifest holds the params and names its `crop_set` input —
 * and can be overridden.
 * @module
 */
import { basename, isAbsolute, join, resolve } from "node:path";
import { type ChannelOrder } from "../data/crops.ts";
import { CROP_SET_DEFAULTS } from "../data/crop_set_defaults.ts";
import type { CropSetStoreOptions } from "../data/crop_set_store.ts";
import { csvField, parseCsvGrid } from "../data/csv.ts";
import { STORE_NORMALIZATION_DEFAULTS, type StoreNormalization } from "../imaging/normalize_store.ts";
import { cellFeatures } from "./cell_features.ts";
import type { FeatureLayer } from "./encode.ts";
import { REPLICATES } from "./train_run.ts";
import { loadGan } from "./weights.ts";

/** A located model: its weights and, when known, how its training crops were prepared. */
export interface ResolvedModel {
  /** Folder with model.json and weights.bin. */
  weights: string;
  /** The train task's output folder. */
  dir: string;
  /** The training crops' normalisation, from provenance; null when the manifests are not at hand. */
  normalization: StoreNormalization | null;
  /** Where the normalisation came from. */
  source: string;
  /**
   * The `crop_set` options the training crops were read with, from provenance; null when they came from
   * another source (segmented fields) or the manifests are not at hand.
   */
  cropSet: CropSetStoreOptions | null;
}

const HEX = /^[0-9a-f]{8,64}$/;

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

async function readJsonFile(path: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch {
    return null;
  }
}

/**
 * Finds a model: a train task's output folder (with `model/`), a weights folder itself, or a cache key (or
 * a unique prefix of ≥ 8 hex digits) in `objects` (default `cache/objects`).
 *
 * @throws Error saying what was looked for when nothing matches, or a prefix is ambiguous.
 */
export async function resolveModel(spec: string, objects = "cache/objects"): Promise<ResolvedModel> {
  let dir: string | null = null;
  if (await exists(spec)) dir = resolve(spec);
  else if (HEX.test(spec)) {
    const matches: string[] = [];
    if (await exists(objects)) {
      for await (const e of Deno.readDir(objects)) {
        if (e.isDirectory && e.name.startsWith(spec)) matches.push(e.name);
      }
    }
    if (matches.length > 1) {
      throw new Error(`Cannot find model '${spec}': the prefix matches ${matches.length} cache keys`);
    }
    if (matches.length === 1) dir = resolve(objects, matches[0]);
  }
  if (!dir) {
    throw new Error(
      `Cannot find model '${spec}': expected a train task's output folder or a cache key in '${objects}'`,
    );
  }
  let weights = join(dir, "model");
  if (!await exists(join(weights, "model.json"))) {
    if (await exists(join(dir, "model.json"))) weights = dir;
    else {
      throw new Error(
        `Cannot find model '${spec}': expected '${join(dir, "model", "model.json")}' (a train task's output)`,
      );
    }
  }
  // Provenance: train manifest → its `crops` input (normalize) → that manifest's params, and its `crops`
  // input (crop_set, when the training started from a crop set) → that manifest's params.
  // A replicate training (`<task output>/replicates/<seed>/`) has its task's provenance.
  let taskDir = weights === dir ? dirname(dir) : dir;
  if (/^\d+$/.test(basename(taskDir)) && basename(dirname(taskDir)) === REPLICATES) {
    taskDir = dirname(dirname(taskDir));
  }
  const upstream = async (manifestDir: string) => {
    const key = ((await readJsonFile(join(manifestDir, "manifest.json")))?.inputKeys as
      | Record<string, string>
      | undefined)?.crops;
    if (!key) return null;
    const m = await readJsonFile(join(dirname(taskDir), key, "manifest.json"));
    const components = m?.components as { task?: string; params?: Record<string, unknown> } | undefined;
    return components?.params ? { key, dir: join(dirname(taskDir), key), ...components } : null;
  };
  const norm = await upstream(taskDir);
  if (norm?.task === "normalize") {
    const set = await upstream(norm.dir);
    return {
      weights,
      dir,
      normalization: { ...STORE_NORMALIZATION_DEFAULTS, ...norm.params as Partial<StoreNormalization> },
      source: `normalize ${norm.key.slice(0, 12)} (the training crops' provenance)`,
      cropSet: set?.task === "crop_set"
        ? { ...CROP_SET_DEFAULTS, ...set.params as CropSetStoreOptions }
        : null,
    };
  }
  return { weights, dir, normalization: null, source: "", cropSet: null };
}

function dirname(path: string): string {
  return resolve(path, "..");
}

/** Options of {@link embedCrops}. */
export interface EmbedOptions {
  /** A train task's output folder, a weights folder, or a cache key. */
  model: string;
  /** A crop-set folder with an index CSV, or a crop store (cells.csv + shards). */
  crops: string;
  /** The CSV to write. */
  out: string;
  /** Index CSV inside a crop-set folder (default `index.csv`). */
  index?: string;
  /**
   * Channel order of a crop set's files (default: the training crops' `crop_set` channel order, else the
   * crop_set task's default, DNA, actin, tubulin).
   */
  channelOrder?: ChannelOrder;
  /** Override of the normalisation (default: the training run's). */
  normalization?: Partial<StoreNormalization>;
  /** Cache objects folder for keys (default `cache/objects`). */
  objects?: string;
  /** D's layers to read (default `["latent"]`; the extract tasks' `layers`). */
  layers?: readonly FeatureLayer[];
  /** 1 (default) or 8: average over the symmetries of the square (the extract tasks' `symmetries`). */
  symmetries?: 1 | 8;
  /** Crops per forward pass. */
  batchSize?: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/** What {@link embedCrops} wrote. */
export interface EmbedResult {
  cells: number;
  features: number;
  normalization: StoreNormalization;
  /** The crop-set options a crop-set folder was read with. */
  cropSet: CropSetStoreOptions;
  out: string;
}

/**
 * Writes per-cell features of `crops` under `model` (its `latent` layer unless `layers` says otherwise) to `out` (written beside and renamed into place).
 *
 * @throws Error naming the file when the crops cannot be read, or their side cannot match the model's.
 */
export async function embedCrops(options: EmbedOptions): Promise<EmbedResult> {
  const log = options.log ?? (() => {});
  const model = await resolveModel(options.model, options.objects);
  const gan = await loadGan(model.weights);
  const size = gan.config.size;
  const normalization: StoreNormalization = {
    ...(model.normalization ?? STORE_NORMALIZATION_DEFAULTS),
    size,
    ...options.normalization,
  };
  if (normalization.size !== size) {
    throw new Error(
      `Cannot embed at ${normalization.size} px with '${model.weights}': the model takes ${size} px crops`,
    );
  }
  log(
    `model ${model.dir} (${size} px, ${gan.config.featureDim} features); normalisation ${normalization.method}` +
      (model.normalization ? ` from ${model.source}` : " (defaults: no provenance found)"),
  );
  const cropSet: CropSetStoreOptions = {
    channelOrder: options.channelOrder ?? model.cropSet?.channelOrder ?? CROP_SET_DEFAULTS.channelOrder,
    index: options.index ?? CROP_SET_DEFAULTS.index,
    batch: model.cropSet?.batch ?? CROP_SET_DEFAULTS.batch,
  };
  if (
    options.channelOrder && model.cropSet &&
    String(options.channelOrder) !== String(model.cropSet.channelOrder)
  ) {
    log(
      `warning: --channel-order ${options.channelOrder} differs from the training crops' ${model.cropSet.channelOrder}`,
    );
  }
  log(
    `a crop-set folder is read as ${cropSet.channelOrder} (${
      options.channelOrder
        ? "as asked"
        : model.cropSet
        ? "as the training's crop_set"
        : "the crop_set default"
    })`,
  );
  const crops = isAbsolute(options.crops) ? options.crops : resolve(options.crops);
  const tmp = await Deno.makeTempDir({ prefix: "morphogan-embed-" });
  try {
    // The metadata columns of the output: the store's cells.csv, or the crop set's index.
    const table = await Deno.stat(join(crops, "cells.csv")).then(() => "cells.csv", () => cropSet.index!);
    let grid;
    try {
      grid = parseCsvGrid(await Deno.readTextFile(join(crops, table)), { file: join(crops, table) });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      throw new Error(
        `Cannot embed '${crops}': expected a crop store (cells.csv) or a crop index '${table}'`,
      );
    }
    const { header, rows: meta } = grid;
    // Features by the extract tasks' code path, the crops prepared as the training's were.
    const latents = await cellFeatures(gan, crops, {
      prepare: { cropSet, normalization },
      work: tmp,
      layers: options.layers,
      symmetries: options.symmetries,
      batchSize: options.batchSize,
      signal: options.signal,
    });
    gan.dispose();
    const { order, names } = latents;
    const d = names.length;
    const features = latents.data;
    if (order === null && latents.rows.length !== meta.length) {
      throw new Error(
        `internal: '${crops}' lists ${meta.length} cells, ${latents.rows.length} were embedded`,
      );
    }
    const rowOf = new Int32Array(meta.length).fill(-1);
    (order ?? meta.map((_, i) => i)).forEach((input, k) => (rowOf[input] = k));
    const lines = [[...header, ...names].map(csvField).join(",")];
    for (let i = 0; i < meta.length; i++) {
      const k = rowOf[i];
      if (k < 0) throw new Error(`internal: crop ${i} of '${crops}' was not embedded`);
      const f = Array.from(features.subarray(k * d, (k + 1) * d), (v) => String(Number(v.toPrecision(7))));
      lines.push([...meta[i].map(csvField), ...f].join(","));
    }
    const out = resolve(options.out);
    const part = `${out}.tmp-${crypto.randomUUID().slice(0, 8)}`;
    await Deno.writeTextFile(part, lines.join("\n") + "\n");
    await Deno.rename(part, out);
    log(`${meta.length} cells × ${d} features → ${out}`);
    return { cells: meta.length, features: d, normalization, cropSet, out };
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}
