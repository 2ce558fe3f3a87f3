/**
 * Mechanism-of-action classification by the nearest neighbour (Ljosa et al.
 * 2013): each treatment profile takes the MOA of its most cosine-similar
 * treatment among the allowed references.
 *
 * - NSC ("not same compound"): the references are the treatments of every
 *   other compound.
 * - NSCB ("not same compound or batch"): the references must also share no
 *   batch with the query. MOAs whose treatments all lie in a single batch can
 *   never be matched and are dropped from queries and references alike (on
 *   BBBC021: Cholesterol-lowering, Week9 only; Kinase inhibitors, Week7 only:
 *   103 → 92 treatments).
 *
 * Batch of a treatment: the set of batches (BBBC021: weeks) of the wells its
 * profile aggregates, `AggregateRow.batches`. There is one profile per
 * treatment (not one per treatment and batch), and two treatments "share a
 * batch" when the sets intersect. In the 103 annotated BBBC021 treatments
 * every treatment's wells lie in one week, so this is the usual one-batch
 * rule; it only matters for taxol 0.3 µM when the control wells on every
 * plate are pooled with it (it then shares a batch with everything and has no
 * NSCB reference: it is reported under `dropped.no_reference`); drop those
 * wells with `isTaxolPlateControl` (`lib/data/bbbc021.ts`) first to follow the usual 632-well subset.
 *
 * Accuracy is reported per treatment (correct / queries) and per compound
 * (each compound's accuracy over its concentrations, averaged over compounds:
 * the number the paper reports). Ties in similarity go to the reference that
 * comes first in the table.
 *
 * @module
 */

import { cosineSimilarityMatrix } from "./cosine.ts";
import { assertShape, CONTROL, type Matrix, treatmentKey } from "./types.ts";

/** What evaluation needs to know of a treatment profile. */
export interface TreatmentRow {
  /** Compound name. */
  compound: string;
  /** Concentration (µM). */
  concentration: number;
  /** Mechanism of action (rows with `null` are not evaluated). */
  moa: string | null;
  /** Batches the profile's wells come from. */
  batches: readonly string[];
}

/** The nearest neighbour found for one query treatment. */
export interface NeighborRecord {
  /** Query treatment key (`compound@concentration`). */
  treatment: string;
  /** Query compound. */
  compound: string;
  /** Query concentration (µM). */
  concentration: number;
  /** Query MOA. */
  moa: string;
  /** Query batches. */
  batches: string[];
  /** Nearest reference treatment key. */
  neighbor: string;
  /** MOA of the nearest reference (the prediction). */
  predicted_moa: string;
  /** Cosine similarity to it. */
  similarity: number;
  /** Whether the predicted MOA is the query's. */
  correct: boolean;
}

/** Accuracy of one nearest-neighbour protocol (NSC or NSCB). Accuracies are fractions. */
export interface AccuracyReport {
  /** Correct queries / queries. */
  per_treatment: number;
  /** Mean over compounds of each compound's fraction of correct queries. */
  per_compound: number;
  /** Number of query treatments. */
  n: number;
  /** Number of query compounds. */
  n_compounds: number;
  /** Per MOA: correct queries of that MOA / queries of that MOA. */
  per_moa_recall: Record<string, number>;
  /** Per compound accuracy. */
  per_compound_accuracy: Record<string, number>;
  /** Confusion matrix: `matrix[i][j]` counts queries of MOA `labels[i]` predicted as `labels[j]`. */
  confusion: { labels: string[]; matrix: number[][] };
  /** Every query's nearest neighbour, in table order. */
  neighbors: NeighborRecord[];
  /** What was left out: MOAs in a single batch (NSCB), queries without any allowed reference. */
  dropped: { moas: string[]; treatments: string[]; no_reference: string[] };
}

/** Options of {@linkcode nearestNeighborAccuracy}. */
export interface NeighborOptions {
  /** Also require references from another batch (NSCB). */
  notSameBatch: boolean;
  /** Compound of the control rows, never evaluated (default `"DMSO"`). */
  control?: string;
  /** Precomputed cosine similarities of all table rows (n × n). */
  similarity?: Float64Array;
}

function shareBatch(a: readonly string[], b: readonly string[]): boolean {
  for (const x of a) if (b.includes(x)) return true;
  return false;
}

/**
 * 1-NN MOA accuracy by cosine similarity, NSC or NSCB (see module doc).
 * Control rows and rows without MOA are ignored.
 *
 * @param table Treatment profiles.
 * @param options Protocol.
 */
export function nearestNeighborAccuracy(
  table: Matrix<TreatmentRow>,
  options: NeighborOptions,
): AccuracyReport {
  assertShape(table, "nearestNeighborAccuracy");
  const control = options.control ?? CONTROL;
  const n = table.rows.length, d = table.features.length;
  const sim = options.similarity ?? cosineSimilarityMatrix(table.data, d);
  if (sim.length !== n * n) {
    throw new RangeError(
      `nearestNeighborAccuracy: expected a ${n} × ${n} similarity matrix, got ${sim.length} values`,
    );
  }
  let eligible: number[] = [];
  table.rows.forEach((r, i) => {
    if (r.compound !== control && r.moa !== null) eligible.push(i);
  });
  const droppedMoas: string[] = [], droppedTreatments: string[] = [];
  const key = (i: number) => treatmentKey(table.rows[i].compound, table.rows[i].concentration);
  if (options.notSameBatch) {
    const moaBatches = new Map<string, Set<string>>();
    for (const i of eligible) {
      const r = table.rows[i];
      let s = moaBatches.get(r.moa!);
      if (!s) moaBatches.set(r.moa!, s = new Set());
      for (const b of r.batches) s.add(b);
    }
    for (const [moa, s] of moaBatches) if (s.size < 2) droppedMoas.push(moa);
    droppedMoas.sort();
    eligible = eligible.filter((i) => {
      if (!droppedMoas.includes(table.rows[i].moa!)) return true;
      droppedTreatments.push(key(i));
      return false;
    });
  }
  const neighbors: NeighborRecord[] = [];
  const noReference: string[] = [];
  for (const q of eligible) {
    const rq = table.rows[q];
    let best = -1, bestSim = -Infinity;
    for (const c of eligible) {
      const rc = table.rows[c];
      if (rc.compound === rq.compound) continue;
      if (options.notSameBatch && shareBatch(rq.batches, rc.batches)) continue;
      const s = sim[q * n + c];
      if (s > bestSim) {
        bestSim = s;
        best = c;
      }
    }
    if (best < 0) {
      noReference.push(key(q));
      continue;
    }
    const rb = table.rows[best];
    neighbors.push({
      treatment: key(q),
      compound: rq.compound,
      concentration: rq.concentration,
      moa: rq.moa!,
      batches: [...rq.batches],
      neighbor: key(best),
      predicted_moa: rb.moa!,
      similarity: bestSim,
      correct: rb.moa === rq.moa,
    });
  }
  const byCompound = new Map<string, { ok: number; all: number }>();
  const byMoa = new Map<string, { ok: number; all: number }>();
  let ok = 0;
  for (const r of neighbors) {
    if (r.correct) ok++;
    for (const [m, k] of [[byCompound, r.compound], [byMoa, r.moa]] as const) {
      let e = m.get(k);
      if (!e) m.set(k, e = { ok: 0, all: 0 });
      e.all++;
      if (r.correct) e.ok++;
    }
  }
  const perCompound: Record<string, number> = {};
  let compoundSum = 0;
  for (const [c, e] of [...byCompound].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    perCompound[c] = e.ok / e.all;
    compoundSum += e.ok / e.all;
  }
  const recall: Record<string, number> = {};
  for (const [m, e] of [...byMoa].sort((a, b) => (a[0] < b[0] ? -1 : 1))) recall[m] = e.ok / e.all;
  const labels = [...new Set(neighbors.flatMap((r) => [r.moa, r.predicted_moa]))].sort();
  const matrix = labels.map(() => labels.map(() => 0));
  for (const r of neighbors) matrix[labels.indexOf(r.moa)][labels.indexOf(r.predicted_moa)]++;
  return {
    per_treatment: neighbors.length ? ok / neighbors.length : NaN,
    per_compound: byCompound.size ? compoundSum / byCompound.size : NaN,
    n: neighbors.length,
    n_compounds: byCompound.size,
    per_moa_recall: recall,
    per_compound_accuracy: perCompound,
    confusion: { labels, matrix },
    neighbors,
    dropped: { moas: droppedMoas, treatments: droppedTreatments, no_reference: noReference },
  };
}
