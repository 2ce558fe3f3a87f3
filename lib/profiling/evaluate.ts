/**
 * The full MOA evaluation of treatment profiles: NSC and NSCB nearest-neighbour
 * accuracy and mAP, in the JSON shape written by `tools/evaluate_profiles.ts`.
 *
 * @module
 */

import { cosineSimilarityMatrix } from "./cosine.ts";
import { type MapOptions, type MapReport, meanAveragePrecision } from "./map.ts";
import { NotApplicableError } from "./not_applicable.ts";
import { type AccuracyReport, nearestNeighborAccuracy, type TreatmentRow } from "./nsc.ts";
import { assertShape, CONTROL, type Matrix, treatmentKey } from "./types.ts";

/** Options of {@linkcode evaluateTreatments}. */
export interface EvaluateOptions extends Omit<MapOptions, "similarity"> {}

/** The evaluation of one set of treatment profiles. Accuracies are fractions. */
export interface EvaluationReport {
  /** Not-same-compound 1-NN accuracy. */
  nsc: AccuracyReport;
  /** Not-same-compound-or-batch 1-NN accuracy. */
  nscb: AccuracyReport;
  /** MOA retrieval mAP. */
  map: MapReport;
  /** Treatments left out because they have no MOA. */
  without_moa: string[];
  /** Human-readable warnings. */
  warnings: string[];
}

/**
 * Evaluates treatment profiles (one row per treatment, e.g. from
 * `aggregate(wells, { by: "treatment" })`). Control rows are ignored;
 * treatments without a MOA are left out with a warning. Throws a {@linkcode NotApplicableError} when fewer
 * than two compounds with a MOA remain.
 *
 * @param table Treatment profiles.
 * @param options mAP options (null size, seed, threshold) and control name.
 */
export function evaluateTreatments(
  table: Matrix<TreatmentRow>,
  options: EvaluateOptions = {},
): EvaluationReport {
  assertShape(table, "evaluateTreatments");
  const control = options.control ?? CONTROL;
  const warnings: string[] = [];
  const withoutMoa = table.rows.filter((r) => r.compound !== control && r.moa === null)
    .map((r) => treatmentKey(r.compound, r.concentration));
  if (withoutMoa.length) {
    warnings.push(
      `evaluate: ${withoutMoa.length} treatment(s) have no MOA (expected one from the MOA table) and are left out: ${
        withoutMoa.slice(0, 5).join(", ")
      }${withoutMoa.length > 5 ? ", …" : ""}`,
    );
  }
  const compounds = new Set(
    table.rows.filter((r) => r.compound !== control && r.moa !== null).map((r) => r.compound),
  );
  if (compounds.size < 2) {
    throw new NotApplicableError(
      `evaluate: expected treatments of at least 2 compounds with a MOA (besides "${control}"), got ${compounds.size}`,
    );
  }
  const similarity = cosineSimilarityMatrix(table.data, table.features.length);
  const nsc = nearestNeighborAccuracy(table, { notSameBatch: false, control, similarity });
  const nscb = nearestNeighborAccuracy(table, { notSameBatch: true, control, similarity });
  if (nscb.dropped.no_reference.length) {
    warnings.push(
      `evaluate: NSCB left out ${nscb.dropped.no_reference.length} treatment(s) that share a batch with every ` +
        `other compound: ${nscb.dropped.no_reference.join(", ")}`,
    );
  }
  const map = meanAveragePrecision(table, { ...options, similarity });
  return { nsc, nscb, map, without_moa: withoutMoa, warnings };
}
