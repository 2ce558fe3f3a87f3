/**
 * The `evaluate` task's work: MOA accuracy of every feature set of an `aggregate` output under every
 * protocol, for each training seed, and Table 1 beside the paper.
 *
 * Protocols (each gives NSC and NSCB 1-NN accuracy, per treatment and averaged per compound, per-MOA recall,
 * confusion matrices, nearest neighbours, and mAP of same-MOA retrieval):
 * - `cells-mean`: treatment = mean of all its cells, no normalisation — the authors' protocol;
 * - `cells-<norm>/<center>`: the cells z-scored or whitened against DMSO cells first (centred on all DMSO
 *   cells or on each batch's: lib/profiling/cell_normalize.ts), then the mean per treatment — the authors'
 *   `--whiten-profiles` works at this level;
 * - `wells-<agg>/<norm>[+select]`: cells → well mean → `none` | `robustize` | `whiten` (well-level, against
 *   DMSO wells) → treatment `mean` | `median`, optionally with pycytominer-style feature selection.
 *
 * A feature set with a symmetric view (each cell's features averaged over the 8 symmetries of the square,
 * lib/profiling/feature_store.ts) is evaluated under every protocol in that view too, named `sym8:<protocol>`;
 * `cells-mean` of the plain view stays the authors' exact protocol.
 *
 * A protocol the data cannot support is recorded as `{ not_applicable: reason }` and the others are
 * evaluated. With replicate seeds (lib/data/replicates.ts), each protocol is evaluated for every seed: its
 * `summary` is the mean over seeds, `sd` their standard deviation, `seeds` each seed's summary, and `report`
 * the first seed's full report.
 *
 * Table 1: per method, ours under the authors' protocol and under the protocol with the best mean NSC per
 * compound (picked on the same cells it is scored on, so optimistic by the spread of the protocols' scores),
 * each with ± sd over seeds, the untrained control under the same protocol, and the paper's number.
 * @module
 */
import { join } from "node:path";
import { replicateDir, replicateSeeds } from "../data/replicates.ts";
import { CELL_NORMALIZATIONS, CENTER_LEVELS } from "./cell_normalize.ts";
import { cellProtocolFile, PROFILE_FILE } from "./aggregate_set.ts";
import { type EvaluateOptions, evaluateTreatments, type EvaluationReport } from "./evaluate.ts";
import { FEATURE_SET_LABELS, PAPER_TABLE1 } from "./paper_table1.ts";
import { MODELS } from "../models/registry.ts";
import { SYMMETRIC_VIEW } from "./feature_store.ts";
import { type NormalizeMethod, runProfilePipeline } from "./pipeline.ts";
import { tryProtocol } from "./protocol.ts";
import { tableFromJson } from "./table_io.ts";
import { type AggregateRow, CONTROL, type ProfileRow } from "./types.ts";

/** The headline numbers of one evaluation (fractions). */
export interface Summary {
  nsc_per_compound: number;
  nsc_per_treatment: number;
  nsc_n: number;
  nscb_per_compound: number;
  nscb_per_treatment: number;
  nscb_n: number;
  map: number;
  map_fraction_retrieved: number;
}

const METRICS = [
  "nsc_per_compound",
  "nsc_per_treatment",
  "nscb_per_compound",
  "nscb_per_treatment",
  "map",
  "map_fraction_retrieved",
] as const;

/** One protocol of one feature set: the mean over seeds, their sd, each seed's numbers, the first report. */
export interface Evaluated {
  summary: Summary;
  /** Standard deviation over seeds of each metric (0 with one seed). */
  sd: Partial<Summary>;
  /** Each seed's summary, in seed order (the first is the one `report` belongs to). */
  seeds: ({ seed: number | null } & Summary)[];
  report: EvaluationReport;
}

/** A protocol the data cannot support. */
export interface NotApplicable {
  not_applicable: string;
}

/** `evaluation.json`: feature set → protocol → result. */
export type Evaluation = Record<string, Record<string, Evaluated | NotApplicable>>;

/** Options of {@linkcode evaluateSets}. */
export interface EvaluateSetsOptions {
  /** Well-level normalisations to try. */
  normalizations: readonly NormalizeMethod[];
  /** Wells → treatment aggregations to try. */
  aggregations: readonly ("mean" | "median")[];
  /** Also evaluate each well protocol with feature selection. */
  select: boolean;
  /** mAP null size and seed. */
  evaluate: EvaluateOptions;
  /** Progress per feature set, warnings and debug lines. */
  onSet?: (set: string) => void;
  warn?: (line: string) => void;
  debug?: (line: string) => void;
}

function summarize(r: EvaluationReport): Summary {
  return {
    nsc_per_compound: r.nsc.per_compound,
    nsc_per_treatment: r.nsc.per_treatment,
    nsc_n: r.nsc.n,
    nscb_per_compound: r.nscb.per_compound,
    nscb_per_treatment: r.nscb.per_treatment,
    nscb_n: r.nscb.n,
    map: r.map.map,
    map_fraction_retrieved: r.map.fraction_retrieved,
  };
}

/** Mean and sample standard deviation of each metric over seeds. */
function combine(runs: { seed: number | null; report: EvaluationReport }[]): Evaluated {
  const seeds = runs.map((r) => ({ seed: r.seed, ...summarize(r.report) }));
  const summary = { ...seeds[0] } as Summary & { seed?: number | null };
  delete summary.seed;
  const sd: Partial<Summary> = {};
  for (const m of METRICS) {
    const v = seeds.map((s) => s[m]);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    summary[m] = mean;
    sd[m] = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  }
  return { summary, sd, seeds, report: runs[0].report };
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

/** The cell-level protocols an aggregate folder holds, as `[name, file]`. */
async function cellProtocols(dir: string): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (const method of CELL_NORMALIZATIONS) {
    for (const center of CENTER_LEVELS) {
      const file = cellProtocolFile({ method, center });
      if (await Deno.stat(join(dir, file)).then(() => true, () => false)) {
        out.push([`cells-${method}/${center}`, file]);
      }
    }
  }
  return out;
}

/** Every protocol of one aggregate folder (one seed). */
async function evaluateFolder(
  dir: string,
  options: EvaluateSetsOptions,
  source: string,
): Promise<Record<string, EvaluationReport | NotApplicable>> {
  const read = async <R extends ProfileRow>(f: string) =>
    tableFromJson<R>(await Deno.readTextFile(join(dir, f)), join(dir, f));
  const run = (f: () => EvaluationReport): EvaluationReport | NotApplicable => {
    const o = tryProtocol(f);
    return o.notApplicable === undefined ? o.result : { not_applicable: o.notApplicable };
  };
  const out: Record<string, EvaluationReport | NotApplicable> = {};
  const treatments = await read<AggregateRow>("treatments_cells.json");
  out["cells-mean"] = run(() => evaluateTreatments(treatments, options.evaluate));
  for (const [name, file] of await cellProtocols(dir)) {
    const t = await read<AggregateRow>(file);
    out[name] = run(() => evaluateTreatments(t, options.evaluate));
  }
  const wells = await read<ProfileRow>("wells_mean.json");
  for (const normalize of options.normalizations) {
    for (const agg of options.aggregations) {
      for (const select of options.select ? [false, true] : [false]) {
        const name = `wells-${agg}/${normalize}${select ? "+select" : ""}`;
        out[name] = run(() => {
          const r = runProfilePipeline(wells, {
            normalize,
            aggregate: agg,
            select,
            evaluate: options.evaluate,
            source: `${source} wells`,
          });
          for (const w of r.warnings) options.debug?.(`${source} ${name}: ${w}`);
          return r.report;
        });
      }
    }
  }
  return out;
}

/** The training seed of an aggregated feature set (profile.json), or null (none, or an older aggregate). */
async function seedOf(dir: string): Promise<number | null> {
  try {
    return JSON.parse(await Deno.readTextFile(join(dir, PROFILE_FILE))).seed ?? null;
  } catch {
    return null;
  }
}

/**
 * Why NSC is not defined for the aggregate in `profiles` (fewer than 2 annotated compounds besides the
 * control, as in a crop set of DMSO and one compound), or null.
 */
export async function nscUndefinedReason(profiles: string, set: string): Promise<string | null> {
  const file = join(profiles, set, "treatments_cells.json");
  const probe = tableFromJson<AggregateRow>(await Deno.readTextFile(file), file);
  const compounds = new Set(probe.rows.filter((r) => r.moa && r.compound !== CONTROL).map((r) => r.compound));
  return compounds.size < 2
    ? `NSC needs annotated treatments of at least 2 compounds besides DMSO; this data has ${compounds.size} ` +
      `(${[...compounds].join(", ") || "none"}): see dose_response for what it allows`
    : null;
}

/**
 * Evaluates every feature set in `sets` of the aggregate output `profiles`, each seed of each (see the
 * module doc).
 */
export async function evaluateSets(
  profiles: string,
  sets: readonly string[],
  options: EvaluateSetsOptions,
): Promise<Evaluation> {
  const results: Evaluation = {};
  for (const set of sets) {
    const dir = join(profiles, set);
    const seeds = await replicateSeeds(dir);
    const folders: [number | null, string][] = [
      [await seedOf(dir), dir],
      ...seeds.map((s) => [s, replicateDir(dir, s)] as [number, string]),
    ];
    const perSeed = [];
    for (const [seed, folder] of folders) {
      const source = seed === null ? set : `${set}@${seed}`;
      const results = await evaluateFolder(folder, options, source);
      // The symmetric view's protocols, prefixed `sym8:`.
      if (await exists(join(folder, SYMMETRIC_VIEW, "treatments_cells.json"))) {
        const view = await evaluateFolder(
          join(folder, SYMMETRIC_VIEW),
          options,
          `${source} ${SYMMETRIC_VIEW}`,
        );
        for (const [name, r] of Object.entries(view)) results[`${SYMMETRIC_VIEW}:${name}`] = r;
      }
      perSeed.push({ seed, results });
    }
    results[set] = {};
    for (const name of Object.keys(perSeed[0].results)) {
      const runs = perSeed.map((p) => ({ seed: p.seed, r: p.results[name] }));
      const na = runs.find((x) => "not_applicable" in x.r);
      results[set][name] = na
        ? na.r as NotApplicable
        : combine(runs.map((x) => ({ seed: x.seed, report: x.r as EvaluationReport })));
    }
    options.onSet?.(set);
  }
  return results;
}

/** A Table 1 cell: one protocol's mean metrics, their sd over seeds, the number of seeds. */
export type Table1Entry = { protocol: string; n_seeds: number; sd: Partial<Summary> } & Summary;

/** One row of Table 1. */
export interface Table1Row {
  method: string;
  set: string | null;
  /** The authors' protocol (cells-mean). */
  ours: Table1Entry | null;
  /** Our best applicable protocol by mean NSC per compound. */
  best: Table1Entry | null;
  /** The untrained-discriminator control under the same protocol as `best` (GAN rows). */
  control: Table1Entry | null;
  paper: { method: string; nsc: number; draft: number | null; source: string } | null;
}

/** `table1.json`. */
export interface Table1 {
  metric: string;
  protocols: Record<string, string>;
  undefinedReason: string | null;
  rows: Table1Row[];
}

/** The set used as the untrained control of the GAN rows. */
export const CONTROL_SET = "random";

/**
 * Table 1 from an evaluation: one row per feature set (in `sets` order), then the paper's other methods.
 */
export function table1(results: Evaluation, sets: readonly string[], undefinedReason: string | null): Table1 {
  const entry = (set: string, protocol: string): Table1Entry | null => {
    const r = results[set]?.[protocol];
    return r && "summary" in r ? { protocol, n_seeds: r.seeds.length, sd: r.sd, ...r.summary } : null;
  };
  const best = (set: string) => {
    const entries = Object.entries(results[set] ?? {}).filter((e): e is [string, Evaluated] =>
      "summary" in e[1]
    );
    if (entries.length === 0) return null;
    entries.sort((a, b) => b[1].summary.nsc_per_compound - a[1].summary.nsc_per_compound);
    return entry(set, entries[0][0]);
  };
  const gans = new Set<string>(MODELS.map((m) => m.id));
  const rows: Table1Row[] = sets.map((set) => {
    const paper = PAPER_TABLE1.find((r) => r.set === set);
    const b = undefinedReason ? null : best(set);
    return {
      method: FEATURE_SET_LABELS[set] ?? set,
      set,
      ours: undefinedReason ? null : entry(set, "cells-mean"),
      best: b,
      control: b && gans.has(set) ? entry(CONTROL_SET, b.protocol) : null,
      paper: paper
        ? { method: paper.method, nsc: paper.nsc, draft: paper.draft ?? null, source: paper.source }
        : null,
    };
  });
  // The paper's other rows, and those of ours that this run did not evaluate: the paper's number alone.
  const others = PAPER_TABLE1.filter((r) => r.set === null || !sets.includes(r.set)).map((r) => ({
    method: r.method,
    set: null,
    ours: null,
    best: null,
    control: null,
    paper: { method: r.method, nsc: r.nsc, draft: r.draft ?? null, source: r.source },
  }));
  return {
    metric: "1-NN MOA accuracy (fractions); NSC per compound is the paper's number; ± sd over training seeds",
    protocols: {
      "cells-mean": "treatment = mean of its cells, no normalisation (the authors')",
      best: "our best applicable protocol by mean NSC per compound over seeds (see evaluation.json)",
      control:
        "the untrained discriminator (LSGAN's D at initialisation, same seeds) under each model's best protocol",
    },
    undefinedReason,
    rows: [...rows, ...others],
  };
}
