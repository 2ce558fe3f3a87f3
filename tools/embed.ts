/**
 * `deno task embed --model <train output dir or cache key> --crops DIR --out FILE.csv`: per-cell latent
 * features (the trained discriminator's 100-d `latent`) for any crop set with an index CSV, or any crop
 * store, outside the DAG (lib/models/embed.ts). The crops are read and normalised as the model's training
 * crops were (channel order, normalisation), from the training run's provenance in the cache, by the code
 * path of the extract tasks.
 *
 * ```
 * deno task embed --model 37b8404b --crops ../shared/data/bbbc021/crops --out lsgan_features.csv
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import type { ChannelOrder } from "../lib/data/crops.ts";
import type { StoreNormalization } from "../lib/imaging/normalize_store.ts";
import { BACKEND_CHOICES, type BackendChoice, selectBackend } from "../lib/models/backend.ts";
import { embedCrops } from "../lib/models/embed.ts";
import { FEATURE_LAYERS, type FeatureLayer } from "../lib/models/encode.ts";

const USAGE = `usage: deno task embed --model <train task output dir | cache key> --crops DIR --out FILE.csv
  --index FILE            crop index inside DIR (default index.csv); DIR may instead be a crop store (cells.csv)
  --channel-order ORDER   dna-actin-tubulin or dna-tubulin-actin: how a crop set's files store the channels
                          (default: as the model's training crop set, else dna-actin-tubulin, as crop_set)
  --normalize METHOD      crop-max | plate-percentile (default: as the model's training crops)
  --layers L[,L]          D's layers: latent (default, the paper's 100-d profile), pooled, or latent,pooled
  --symmetries N          1 (default) or 8: average each cell over flips and quarter turns
                          (use the extract task's layers and symmetries to reproduce its features)
  --cache DIR             cache folder holding the keys (default cache)
  --backend NAME          ${BACKEND_CHOICES.join(" | ")} (default auto)
  --threads N             CPU threads of the wasm backend (default: all cores; the features do not
                          depend on it)
  --batch-size N          crops per forward pass (default 256)`;

/** Parsed arguments of the command. */
export interface EmbedArgs {
  model: string;
  crops: string;
  out: string;
  index?: string;
  channelOrder?: ChannelOrder;
  normalize?: StoreNormalization["method"];
  layers: FeatureLayer[];
  symmetries: 1 | 8;
  cache: string;
  backend: BackendChoice;
  threads: number;
  batchSize: number;
}

/**
 * Parses the command line.
 *
 * @throws Error with the usage for a missing or malformed option.
 */
export function parseEmbedArgs(argv: string[]): EmbedArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: "string" },
      crops: { type: "string" },
      out: { type: "string" },
      index: { type: "string" },
      "channel-order": { type: "string" },
      normalize: { type: "string" },
      layers: { type: "string", default: "latent" },
      symmetries: { type: "string", default: "1" },
      cache: { type: "string", default: "cache" },
      backend: { type: "string", default: "auto" },
      threads: { type: "string", default: String(navigator.hardwareConcurrency) },
      "batch-size": { type: "string", default: "256" },
    },
    strict: true,
  });
  const need = (name: "model" | "crops" | "out") => {
    const v = values[name];
    if (!v) throw new Error(`missing --${name}\n${USAGE}`);
    return v;
  };
  const order = values["channel-order"];
  if (order !== undefined && order !== "dna-tubulin-actin" && order !== "dna-actin-tubulin") {
    throw new Error(`--channel-order: expected dna-tubulin-actin or dna-actin-tubulin, got "${order}"`);
  }
  const normalize = values.normalize;
  if (normalize !== undefined && normalize !== "crop-max" && normalize !== "plate-percentile") {
    throw new Error(`--normalize: expected crop-max or plate-percentile, got "${normalize}"`);
  }
  const layers = values.layers!.split(",") as FeatureLayer[];
  for (const l of layers) {
    if (!FEATURE_LAYERS.includes(l)) {
      throw new Error(`--layers: expected ${FEATURE_LAYERS.join(", ")} (comma-separated), got "${l}"`);
    }
  }
  const symmetries = Number(values.symmetries);
  if (symmetries !== 1 && symmetries !== 8) {
    throw new Error(`--symmetries: expected 1 or 8, got "${values.symmetries}"`);
  }
  const backend = values.backend as BackendChoice;
  if (!BACKEND_CHOICES.includes(backend)) {
    throw new Error(`--backend: expected one of ${BACKEND_CHOICES.join(", ")}, got "${values.backend}"`);
  }
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(`--threads: expected a positive integer, got "${values.threads}"`);
  }
  const batchSize = Number(values["batch-size"]);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`--batch-size: expected a positive integer, got "${values["batch-size"]}"`);
  }
  return {
    model: need("model"),
    crops: need("crops"),
    out: need("out"),
    index: values.index,
    channelOrder: order,
    normalize,
    layers,
    symmetries,
    cache: values.cache!,
    backend,
    threads,
    batchSize,
  };
}

if (import.meta.main) {
  try {
    const args = parseEmbedArgs(Deno.args);
    const backend = await selectBackend(args.backend, { threads: args.threads });
    const t0 = performance.now();
    const r = await embedCrops({
      model: args.model,
      crops: args.crops,
      out: args.out,
      index: args.index,
      channelOrder: args.channelOrder,
      normalization: args.normalize ? { method: args.normalize } : undefined,
      objects: join(args.cache, "objects"),
      layers: args.layers,
      symmetries: args.symmetries,
      batchSize: args.batchSize,
      log: (line) => console.error(line),
    });
    console.error(
      `embed: ${r.cells} cells in ${((performance.now() - t0) / 1000).toFixed(1)} s on ${backend.name}`,
    );
  } catch (e) {
    console.error(`embed: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
