/**
 * Evaluates a CellProfiler-style per-well profile CSV against the BBBC021 MOA
 * annotations: NSC / NSCB 1-NN accuracy and mAP.
 *
 * ```sh
 * deno task evaluate-profiles --profiles FILE.csv[.gz] \
 *   --image-csv BBBC021_v1_image.csv --moa-csv BBBC021_v1_moa.csv \
 *   [--normalize none|robustize|whiten|robustize+whiten] [--select] \
 *   [--aggregate mean|median] [--null-size 10000] [--seed 0] --json OUT.json
 * ```
 *
 * Warnings go to stderr, a one-line summary to stdout, the full report to
 * OUT.json.
 *
 * @module
 */

import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseBbbc021Metadata } from "../lib/data/bbbc021.ts";
import { parseCsvGrid, readCsvText } from "../lib/data/csv.ts";
import { NORMALIZE_METHODS, type NormalizeMethod, runProfilePipeline } from "../lib/profiling/pipeline.ts";
import { annotateWellProfiles } from "../lib/profiling/read_profiles.ts";
import type { AggregateMethod } from "../lib/profiling/aggregate.ts";

/** Parsed command-line options. */
export interface EvaluateProfilesArgs {
  /** Per-well profile CSV (optionally gzipped). */
  profiles: string;
  /** `BBBC021_v1_image.csv`. */
  imageCsv: string;
  /** `BBBC021_v1_moa.csv`. */
  moaCsv: string;
  /** Normalisation. */
  normalize: NormalizeMethod;
  /** Whether to run feature selection. */
  select: boolean;
  /** Wells → treatment aggregation. */
  aggregate: AggregateMethod;
  /** Output JSON path (optional for library use). */
  json?: string;
  /** mAP null size. */
  nullSize: number;
  /** mAP seed. */
  seed: number;
}

const USAGE =
  "usage: deno task evaluate-profiles --profiles FILE.csv[.gz] --image-csv BBBC021_v1_image.csv " +
  "--moa-csv BBBC021_v1_moa.csv [--normalize none|robustize|whiten|robustize+whiten] [--select] " +
  "[--aggregate mean|median] [--null-size N] [--seed S] --json OUT.json";

/**
 * Parses the command line; throws with the usage on bad input.
 *
 * @param argv Arguments without the program name.
 */
export function parseEvaluateArgs(argv: string[]): EvaluateProfilesArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      profiles: { type: "string" },
      "image-csv": { type: "string" },
      "moa-csv": { type: "string" },
      normalize: { type: "string", default: "none" },
      select: { type: "boolean", default: false },
      aggregate: { type: "string", default: "mean" },
      json: { type: "string" },
      "null-size": { type: "string", default: "10000" },
      seed: { type: "string", default: "0" },
    },
    strict: true,
  });
  const need = (name: "profiles" | "image-csv" | "moa-csv" | "json") => {
    const v = values[name];
    if (!v) throw new Error(`missing --${name}\n${USAGE}`);
    return v;
  };
  const normalize = values.normalize as NormalizeMethod;
  if (!NORMALIZE_METHODS.includes(normalize)) {
    throw new Error(
      `--normalize: expected one of ${NORMALIZE_METHODS.join(", ")}, got "${values.normalize}"\n${USAGE}`,
    );
  }
  const aggregate = values.aggregate as AggregateMethod;
  if (aggregate !== "mean" && aggregate !== "median") {
    throw new Error(`--aggregate: expected mean or median, got "${values.aggregate}"\n${USAGE}`);
  }
  const nullSize = Number(values["null-size"]), seed = Number(values.seed);
  if (!Number.isInteger(nullSize) || nullSize < 1) {
    throw new Error(`--null-size: expected a positive integer, got "${values["null-size"]}"`);
  }
  if (!Number.isInteger(seed)) throw new Error(`--seed: expected an integer, got "${values.seed}"`);
  return {
    profiles: need("profiles"),
    imageCsv: need("image-csv"),
    moaCsv: need("moa-csv"),
    json: need("json"),
    normalize,
    select: values.select ?? false,
    aggregate,
    nullSize,
    seed,
  };
}

/** The JSON written by the command. */
export interface EvaluateProfilesOutput {
  /** NSC accuracy and details. */
  nsc: ReturnType<typeof runProfilePipeline>["report"]["nsc"];
  /** NSCB accuracy and details. */
  nscb: ReturnType<typeof runProfilePipeline>["report"]["nscb"];
  /** mAP and details. */
  map: ReturnType<typeof runProfilePipeline>["report"]["map"];
  /** Inputs and settings. */
  settings: Record<string, unknown>;
  /** Number of features used and the features dropped by selection. */
  features: { used: number; excluded: Record<string, string[]> };
  /** Treatments without MOA (left out). */
  without_moa: string[];
  /** Warnings of every step. */
  warnings: string[];
}

/**
 * Runs the evaluation for parsed arguments; writes `args.json` when set.
 *
 * @param args Parsed arguments.
 */
export function evaluateProfilesFile(args: EvaluateProfilesArgs): EvaluateProfilesOutput {
  const metadata = parseBbbc021Metadata(readCsvText(args.imageCsv), readCsvText(args.moaCsv), {
    image: args.imageCsv,
    moa: args.moaCsv,
  });
  const profiles = parseCsvGrid(readCsvText(args.profiles), { file: args.profiles });
  const read = annotateWellProfiles(profiles, metadata, args.profiles);
  const result = runProfilePipeline(read.table, {
    normalize: args.normalize,
    select: args.select,
    aggregate: args.aggregate,
    evaluate: { nullSize: args.nullSize, seed: args.seed },
    source: args.profiles,
  });
  const out: EvaluateProfilesOutput = {
    nsc: result.report.nsc,
    nscb: result.report.nscb,
    map: result.report.map,
    settings: {
      profiles: args.profiles,
      image_csv: args.imageCsv,
      moa_csv: args.moaCsv,
      normalize: args.normalize,
      select: args.select,
      aggregate: args.aggregate,
      null_size: args.nullSize,
      seed: args.seed,
      wells: read.table.rows.length,
    },
    features: { used: result.features.length, excluded: result.excluded },
    without_moa: read.withoutMoa,
    warnings: [...read.warnings, ...result.warnings],
  };
  if (args.json) writeFileSync(args.json, JSON.stringify(out, null, 1) + "\n");
  return out;
}

if (import.meta.main) {
  try {
    const args = parseEvaluateArgs(Deno.args);
    const out = evaluateProfilesFile(args);
    for (const w of out.warnings) console.error(`warning: ${w}`);
    const f = (x: number) => x.toFixed(3);
    console.log(
      `NSC ${f(out.nsc.per_treatment)} (per compound ${
        f(out.nsc.per_compound)
      }) over ${out.nsc.n} treatments; ` +
        `NSCB ${f(out.nscb.per_treatment)} (per compound ${f(out.nscb.per_compound)}) over ${out.nscb.n}; ` +
        `mAP ${f(out.map.map)} (${
          f(out.map.fraction_retrieved)
        } retrieved); ${out.features.used} features → ${args.json}`,
    );
  } catch (e) {
    console.error(`evaluate-profiles: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
