/**
 * The profiling pipeline from measured rows to an evaluation:
 *
 *     [cells → wells (aggregate)] → drop NaN / constant columns
 *       → robust z-score per plate vs DMSO (optional)
 *       → feature selection (optional, on all wells)
 *       → DMSO whitening (optional)
 *       → wells → treatments (mean or median) → evaluation
 *
 * Feature selection runs after the robust z-score and before whitening, as in
 * pycytominer workflows (select on normalised profiles; whitened features
 * are decorrelated, so a correlation cut after whitening would be moot).
 *
 * @module
 */

import { aggregate, type AggregateMethod } from "./aggregate.ts";
import { dropInvalidFeatures } from "./clean.ts";
import { type EvaluateOptions, evaluateTreatments, type EvaluationReport } from "./evaluate.ts";
import { featureSelect, type FeatureSelectOptions } from "./feature_select.ts";
import { NotApplicableError } from "./not_applicable.ts";
import { madRobustize } from "./robustize.ts";
import type { AggregateRow, ProfileRow, ProfileTable } from "./types.ts";
import { whiten } from "./whiten.ts";

/** Normalisations: none, per-plate robust z-score, DMSO whitening, or both in that order. */
export type NormalizeMethod = "none" | "robustize" | "whiten" | "robustize+whiten";

/** The normalisation names accepted by {@linkcode runProfilePipeline}. */
export const NORMALIZE_METHODS: readonly NormalizeMethod[] = [
  "none",
  "robustize",
  "whiten",
  "robustize+whiten",
];

/** Options of {@linkcode runProfilePipeline}. */
export interface PipelineOptions {
  /** When set, the input rows are cells and are first aggregated per well with this method. */
  cellsToWells?: AggregateMethod;
  /** Normalisation (default `"none"`). */
  normalize?: NormalizeMethod;
  /** Feature selection: `false` (default), `true` (pycytominer defaults) or options. */
  select?: boolean | FeatureSelectOptions;
  /** Wells → treatment aggregation (default `"mean"`). */
  aggregate?: AggregateMethod;
  /** Evaluation options (mAP null size, seed, threshold). */
  evaluate?: EvaluateOptions;
  /** Name of the data for messages. */
  source?: string;
}

/** Result of {@linkcode runProfilePipeline}. */
export interface PipelineResult {
  /** Treatment profiles that were evaluated. */
  treatments: ProfileTable<AggregateRow>;
  /** The evaluation. */
  report: EvaluationReport;
  /** Features kept at the end. */
  features: string[];
  /** Features excluded by feature selection, per operation. */
  excluded: Record<string, string[]>;
  /** Every warning of every step, in order. */
  warnings: string[];
}

/**
 * Runs the pipeline (see module doc) on rows with their metadata. A step the data cannot support throws a
 * {@linkcode NotApplicableError} saying why (lib/profiling/protocol.ts turns it into a result).
 *
 * @param input Wells (or cells, with `cellsToWells`).
 * @param options Steps to run.
 */
export function runProfilePipeline(
  input: ProfileTable<ProfileRow>,
  options: PipelineOptions = {},
): PipelineResult {
  const source = options.source ?? "profiles";
  const normalize = options.normalize ?? "none";
  if (!NORMALIZE_METHODS.includes(normalize)) {
    throw new RangeError(
      `runProfilePipeline: expected normalize one of ${NORMALIZE_METHODS.join(", ")}, got "${normalize}"`,
    );
  }
  const warnings: string[] = [];
  let wells: ProfileTable<ProfileRow> = options.cellsToWells
    ? aggregate(input, { by: "well", method: options.cellsToWells })
    : input;
  const clean = dropInvalidFeatures(wells, source);
  warnings.push(...clean.warnings);
  wells = clean.table;
  // The normalisation's warnings also explain a selection that leaves nothing (e.g. a control MAD of 0).
  const normalizeWarnings: string[] = [];
  if (normalize === "robustize" || normalize === "robustize+whiten") {
    const r = madRobustize(wells);
    warnings.push(...r.warnings);
    normalizeWarnings.push(...r.warnings);
    wells = r.table;
  }
  let excluded: Record<string, string[]> = {};
  if (options.select) {
    let s: ReturnType<typeof featureSelect<ProfileRow>>;
    try {
      s = featureSelect(wells, options.select === true ? {} : options.select);
    } catch (e) {
      // Why selection left nothing usually lies upstream (e.g. a control MAD of 0 → 1/ε scaled outliers).
      if (e instanceof NotApplicableError && normalizeWarnings.length) {
        throw new NotApplicableError(`${e.message}; after: ${normalizeWarnings.join("; ")}`);
      }
      throw e;
    }
    excluded = s.excluded as Record<string, string[]>;
    wells = s.table;
  }
  if (normalize === "whiten" || normalize === "robustize+whiten") {
    const c = dropInvalidFeatures(wells, `${source} (before whitening)`);
    warnings.push(...c.warnings);
    const w = whiten(c.table);
    warnings.push(...w.warnings);
    wells = w.table;
  }
  const treatments = aggregate(wells, { by: "treatment", method: options.aggregate ?? "mean" });
  const report = evaluateTreatments(treatments, options.evaluate);
  warnings.push(...report.warnings);
  return { treatments, report, features: wells.features, excluded, warnings };
}
