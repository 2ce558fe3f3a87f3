/**
 * Profiles new cells with a trained model, outside the DAG (`deno task embed`): the 100-d `latent` of a
 * trained discriminator for every crop of a crop set (a folder with an index CSV, lib/data/crops.ts) or of a
 * crop store (cells.csv + shards), written as CSV: the index's columns, then `f0..f99`.
 *
 * Crops are prepared exactly as the model's training crops were: the normalisation (method, side, quantiles)
 * is read from the provenance of the training run — the train task's manifest names its `normalize` input,
 * whose manifest holds the params — and can be overridden.
 * @module
 */
import { isAbsolute, join, resolve } from "node:path";
import { type ChannelOrder } from "../data/crops.ts";
import { cropSetToStore } from "../data/crop_set_store.ts";
import { csvField, parseCsvGrid } from "../data/csv.ts";
import { readCrops, readCropTable } from "../imaging/crop_store.ts";
import { readShard } from "../imaging/shards.ts";
import {
  normalizeStore,
  STORE_NORMALIZATION_DEFAULTS,
  type StoreNormalization,
} from "../imaging/normalize_store.ts";
import { encodeLatents } from "./encode.ts";
import { loadGan } from "./weights.ts";

/** A located model: its weights and, when known, how its training crops were normalised. */
export interface ResolvedModel {
  /** Folder with model.json and weights.bin. */
  weights: string;
  /** The train task's output folder. */
  dir: string;
  /** The training crops' normalisation, from provenance; null when the manifests are not at hand. */
  normalization: StoreNormalization | null;
  /** Where the normalisation came from. */
  source: string;
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
  // Provenance: train manifest → its `crops` input (normalize) → that manifest's params.
  const taskDir = weights === dir ? dirname(dir) : dir;
  const trainManifest = await readJsonFile(join(taskDir, "manifest.json"));
  const cropsKey = (trainManifest?.inputKeys as Record<string, string> | undefined)?.crops;
  if (cropsKey) {
    const m = await readJsonFile(join(dirname(taskDir), cropsKey, "manifest.json"));
    const components = m?.components as { task?: string; params?: Partial<StoreNormalization> } | undefined;
    if (components?.task === "normalize" && components.params) {
      return {
        weights,
        dir,
        normalization: { ...STORE_NORMALIZATION_DEFAULTS, ...components.params },
        source: `normalize ${cropsKey.slice(0, 12)} (the training crops' provenance)`,
      };
    }
  }
  return { weights, dir, normalization: null, source: "" };
}

function dirname(path: string): string {
  return resolve(path, "..");
}

/** The element type of a crop store's first shard. */
async function storeDtype(store: string): Promise<string> {
  const rows = await readCropTable(store);
  if (rows.length === 0) throw new Error(`Cannot embed '${store}': its cells.csv lists no crops`);
  return (await readShard(join(store, rows[0].shard))).header.dtype;
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
  /** Channel order of a crop set's files (default DNA, tubulin, actin). */
  channelOrder?: ChannelOrder;
  /** Override of the normalisation (default: the training run's). */
  normalization?: Partial<StoreNormalization>;
  /** Cache objects folder for keys (default `cache/objects`). */
  objects?: string;
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
  out: string;
}

/**
 * Writes per-cell latent features of `crops` under `model` to `out` (written beside and renamed into place).
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
  const crops = isAbsolute(options.crops) ? options.crops : resolve(options.crops);
  const tmp = await Deno.makeTempDir({ prefix: "morphogan-embed-" });
  try {
    // 1. A crop store of the raw crops, and the metadata columns of the output.
    let store = crops;
    let header: string[];
    let meta: string[][];
    let order: number[] | null = null;
    if (await exists(join(crops, "cells.csv"))) {
      const grid = parseCsvGrid(await Deno.readTextFile(join(crops, "cells.csv")), {
        file: join(crops, "cells.csv"),
      });
      header = grid.header;
      meta = grid.rows;
    } else {
      const index = options.index ?? "index.csv";
      if (!await exists(join(crops, index))) {
        throw new Error(
          `Cannot embed '${crops}': expected a crop store (cells.csv) or a crop index '${index}'`,
        );
      }
      const grid = parseCsvGrid(await Deno.readTextFile(join(crops, index)), { file: join(crops, index) });
      header = grid.header;
      meta = grid.rows;
      store = join(tmp, "raw");
      const written = await cropSetToStore(crops, store, {
        index,
        channelOrder: options.channelOrder ?? "dna-tubulin-actin",
      }, { signal: options.signal });
      order = written.order;
    }
    // 2. Normalised as the training crops were (a normalised store of the right side is used as it is).
    let ready = store;
    if (await storeDtype(store) !== "float32") {
      ready = join(tmp, "normalized");
      await normalizeStore(store, ready, normalization, { signal: options.signal });
    }
    const data = await readCrops(ready);
    if (data.dtype !== "float32" || data.size !== size) {
      throw new Error(
        `Cannot embed '${crops}': expected crops of ${size} px, found ${data.dtype} crops of ${data.size} px`,
      );
    }
    // 3. Features, in the order of the input's rows.
    const d = gan.config.featureDim;
    const features = await encodeLatents(gan, data.data as Float32Array, {
      batchSize: options.batchSize,
      signal: options.signal,
    });
    gan.dispose();
    const rowOf = new Int32Array(meta.length).fill(-1);
    (order ?? meta.map((_, i) => i)).forEach((input, k) => (rowOf[input] = k));
    const lines = [[...header, ...Array.from({ length: d }, (_, j) => `f${j}`)].map(csvField).join(",")];
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
    return { cells: meta.length, features: d, normalization, out };
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}
