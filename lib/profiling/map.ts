/**
 * Mean average precision of MOA retrieval, with copairs semantics
 * (Kalinin et al. 2024, github.com/cytomining/copairs):
 *
 * - Each treatment (not control, with a MOA) is a query. Its positives are the
 *   treatments of the same MOA and another compound; its negatives are the
 *   treatments of another MOA (copairs `pos_sameby=[moa]`,
 *   `pos_diffby=[compound]`, `neg_diffby=[moa]`; same-compound treatments are
 *   neither, as in NSC). With `excludeSameCompound: false` other
 *   concentrations of the same compound count as positives.
 * - Candidates are ranked by cosine similarity, descending; ties put
 *   positives first (copairs' stable `lexsort` over positives-then-negatives).
 *   AP = (1/P) Σ_k precision@k · rel_k.
 * - p-value of an AP: a null of `nullSize` APs of random rankings with the same
 *   number of positives and candidates, p = (#{null ≥ AP} + 1) / (nullSize + 1).
 * - mAP per MOA: mean AP of its queries; its null is the element-wise mean of
 *   its queries' nulls, p = (#{null > mAP} + 1) / (nullSize + 1) (copairs
 *   `mean_average_precision`). p-values are Benjamini–Hochberg corrected
 *   (per treatment over treatments, per MOA over MOAs).
 * - Nulls are drawn by the project's seeded generator (`Rng` of
 *   `lib/data/rng.ts`), one stream per (positives, candidates) configuration
 *   derived from the seed, so results are reproducible and do not depend on
 *   query order.
 *
 * @module
 */

import { Rng, seedFrom } from "../data/rng.ts";
import { benjaminiHochberg } from "./bh.ts";
import { cosineSimilarityMatrix } from "./cosine.ts";
import type { TreatmentRow } from "./nsc.ts";
import { assertShape, CONTROL, type Matrix, treatmentKey } from "./types.ts";

/** Options of {@linkcode meanAveragePrecision}. */
export interface MapOptions {
  /** Size of each permutation null (default 10000). */
  nullSize?: number;
  /** Seed of the null draws (default 0). */
  seed?: number;
  /** Significance level for the `below_*` flags and the retrieved fraction (default 0.05). */
  threshold?: number;
  /** Leave same-compound treatments out of positives and negatives (default true). */
  excludeSameCompound?: boolean;
  /** Compound of the control rows (default `"DMSO"`). */
  control?: string;
  /** Precomputed cosine similarities of all table rows (n × n). */
  similarity?: Float64Array;
}

/** AP of one query treatment. */
export interface ApRecord {
  /** Treatment key. */
  treatment: string;
  /** Compound. */
  compound: string;
  /** MOA. */
  moa: string;
  /** Average precision (NaN when the query has no positive). */
  ap: number;
  /** Number of positives. */
  n_pos: number;
  /** Number of ranked candidates (positives + negatives). */
  n_total: number;
  /** Permutation p-value. */
  p_value: number;
  /** BH-corrected p-value (over treatments). */
  corrected_p_value: number;
}

/** mAP of one MOA. */
export interface MoaMapRecord {
  /** MOA. */
  moa: string;
  /** Mean AP of its queries. */
  map: number;
  /** Number of queries. */
  n: number;
  /** Permutation p-value. */
  p_value: number;
  /** BH-corrected p-value (over MOAs). */
  corrected_p_value: number;
  /** Whether the corrected p-value is below the threshold. */
  below_corrected_p: boolean;
}

/** Result of {@linkcode meanAveragePrecision}. */
export interface MapReport {
  /** Mean AP over queries with at least one positive. */
  map: number;
  /** Number of such queries. */
  n: number;
  /** Fraction of those queries whose corrected p-value is below the threshold. */
  fraction_retrieved: number;
  /** Mean over MOAs of the per-MOA mAP. */
  map_per_moa_mean: number;
  /** Per query. */
  per_treatment: ApRecord[];
  /** Per MOA. */
  per_moa: MoaMapRecord[];
  /** Null size, seed and threshold used. */
  null_size: number;
  /** Seed used. */
  seed: number;
  /** Threshold used. */
  threshold: number;
}

/**
 * Average precision of a ranked relevance list.
 *
 * @param relevant `relevant[k]` is true when the k-th ranked candidate is a positive.
 * @returns NaN when there is no positive.
 */
export function averagePrecision(relevant: readonly boolean[]): number {
  let tp = 0, sum = 0;
  for (let k = 0; k < relevant.length; k++) {
    if (relevant[k]) {
      tp++;
      sum += tp / (k + 1);
    }
  }
  return tp === 0 ? NaN : sum / tp;
}

/**
 * `size` APs of random rankings with `nPos` positives among `nTotal`
 * candidates (positions drawn uniformly without replacement).
 *
 * @param nPos Positives (≥ 1).
 * @param nTotal Candidates (≥ nPos).
 * @param size Null size.
 * @param seed Seed of this null.
 */
export function nullAveragePrecisions(
  nPos: number,
  nTotal: number,
  size: number,
  seed: number,
): Float64Array {
  if (!(nPos >= 1 && nTotal >= nPos)) {
    throw new RangeError(
      `nullAveragePrecisions: expected 1 ≤ nPos ≤ nTotal, got nPos ${nPos}, nTotal ${nTotal}`,
    );
  }
  const rng = new Rng(seed);
  const perm = new Int32Array(nTotal);
  for (let i = 0; i < nTotal; i++) perm[i] = i;
  const pos = new Int32Array(nPos);
  // Positions in ascending order: sorted, or (when sorting costs more than a pass) marked and scanned.
  const scan = nPos * Math.log2(nPos + 1) > nTotal;
  const marked = scan ? new Uint8Array(nTotal) : null;
  const out = new Float64Array(size);
  for (let s = 0; s < size; s++) {
    // Partial Fisher–Yates: the first nPos entries are a uniform random subset.
    for (let k = 0; k < nPos; k++) {
      const r = k + rng.int(nTotal - k);
      const t = perm[k];
      perm[k] = perm[r];
      perm[r] = t;
      pos[k] = perm[k];
    }
    let sum = 0;
    if (marked) {
      for (let k = 0; k < nPos; k++) marked[pos[k]] = 1;
      for (let i = 0, k = 0; k < nPos; i++) {
        if (marked[i]) {
          marked[i] = 0;
          sum += ++k / (i + 1);
        }
      }
    } else {
      pos.sort();
      for (let k = 0; k < nPos; k++) sum += (k + 1) / (pos[k] + 1);
    }
    out[s] = sum / nPos;
  }
  return out;
}

/**
 * MOA retrieval mAP over treatment profiles (see module doc).
 *
 * @param table Treatment profiles (one row per treatment).
 * @param options Null size, seed, threshold.
 */
export function meanAveragePrecision(table: Matrix<TreatmentRow>, options: MapOptions = {}): MapReport {
  assertShape(table, "meanAveragePrecision");
  const nullSize = options.nullSize ?? 10000;
  const seed = options.seed ?? 0;
  const threshold = options.threshold ?? 0.05;
  const excludeSame = options.excludeSameCompound ?? true;
  const control = options.control ?? CONTROL;
  if (!(Number.isInteger(nullSize) && nullSize >= 1)) {
    throw new RangeError(`meanAveragePrecision: expected a positive integer nullSize, got ${nullSize}`);
  }
  const n = table.rows.length, d = table.features.length;
  const sim = options.similarity ?? cosineSimilarityMatrix(table.data, d);
  const eligible: number[] = [];
  table.rows.forEach((r, i) => {
    if (r.compound !== control && r.moa !== null) eligible.push(i);
  });
  const records: ApRecord[] = [];
  for (const q of eligible) {
    const rq = table.rows[q];
    const cands: { s: number; pos: boolean }[] = [];
    for (const c of eligible) {
      if (c === q) continue;
      const rc = table.rows[c];
      if (excludeSame && rc.compound === rq.compound) continue;
      cands.push({ s: sim[q * n + c], pos: rc.moa === rq.moa });
    }
    cands.sort((a, b) => b.s - a.s || Number(b.pos) - Number(a.pos));
    const rel = cands.map((c) => c.pos);
    const nPos = rel.filter(Boolean).length;
    records.push({
      treatment: treatmentKey(rq.compound, rq.concentration),
      compound: rq.compound,
      moa: rq.moa!,
      ap: averagePrecision(rel),
      n_pos: nPos,
      n_total: rel.length,
      p_value: NaN,
      corrected_p_value: NaN,
    });
  }
  const nulls = new Map<string, Float64Array>();
  const nullOf = (r: ApRecord) => {
    const k = `${r.n_pos}/${r.n_total}`;
    let v = nulls.get(k);
    if (!v) {
      nulls.set(
        k,
        v = nullAveragePrecisions(r.n_pos, r.n_total, nullSize, seedFrom(seed, r.n_pos, r.n_total)),
      );
    }
    return v;
  };
  const scored = records.filter((r) => r.n_pos > 0);
  for (const r of scored) {
    let ge = 0;
    for (const v of nullOf(r)) if (v >= r.ap) ge++;
    r.p_value = (ge + 1) / (nullSize + 1);
  }
  const corrected = benjaminiHochberg(scored.map((r) => r.p_value));
  scored.forEach((r, i) => r.corrected_p_value = corrected[i]);

  const moas = [...new Set(scored.map((r) => r.moa))].sort();
  const perMoa: MoaMapRecord[] = moas.map((moa) => {
    const members = scored.filter((r) => r.moa === moa);
    const map = members.reduce((s, r) => s + r.ap, 0) / members.length;
    const mean = new Float64Array(nullSize);
    for (const r of members) {
      const nd = nullOf(r);
      for (let s = 0; s < nullSize; s++) mean[s] += nd[s] / members.length;
    }
    let gt = 0;
    for (const v of mean) if (v > map) gt++;
    return {
      moa,
      map,
      n: members.length,
      p_value: (gt + 1) / (nullSize + 1),
      corrected_p_value: NaN,
      below_corrected_p: false,
    };
  });
  const moaCorrected = benjaminiHochberg(perMoa.map((r) => r.p_value));
  perMoa.forEach((r, i) => {
    r.corrected_p_value = moaCorrected[i];
    r.below_corrected_p = moaCorrected[i] < threshold;
  });
  const mapAll = scored.length ? scored.reduce((s, r) => s + r.ap, 0) / scored.length : NaN;
  return {
    map: mapAll,
    n: scored.length,
    fraction_retrieved: scored.length
      ? scored.filter((r) => r.corrected_p_value < threshold).length / scored.length
      : NaN,
    map_per_moa_mean: perMoa.length ? perMoa.reduce((s, r) => s + r.map, 0) / perMoa.length : NaN,
    per_treatment: records,
    per_moa: perMoa,
    null_size: nullSize,
    seed,
    threshold,
  };
}
