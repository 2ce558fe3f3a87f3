/**
 * Feature selection with pycytominer's `feature_select` semantics. Every
 * operation looks at the same input table and the union of their exclusions
 * is dropped (pycytominer does not chain them):
 *
 * - `variance_threshold`: population variance (ddof 0, NaN skipped) below
 *   `minVariance` (1e-6).
 * - `frequency_threshold` (caret's `nearZeroVar`, pycytominer's `freq_cut` /
 *   `unique_cut`): excluded when the count of the second most common value over
 *   the count of the most common one is below `freqCut` (0.05), or the feature
 *   has a single distinct value, or distinct values / rows is below `uniqueCut`
 *   (0.01). Either condition suffices (pycytominer takes the union).
 * - `correlation_threshold`: Pearson correlation of every pair of features;
 *   features are ranked by the sum of their absolute correlations with all
 *   features (ascending, ties by column order); for every pair with correlation
 *   strictly above `threshold` (0.9; positive correlations only, exactly as
 *   pycytominer's `correlation > threshold`), the member ranked later (the more
 *   correlated to everything) is excluded. All pairs are judged at once, not
 *   greedily re-evaluated, as pycytominer.
 * - `drop_outliers`: max |x| over rows above `outlierCutoff` (500).
 *
 * @module
 */

import { selectColumns } from "./clean.ts";
import { NotApplicableError } from "./not_applicable.ts";
import { assertShape, type ProfileRow, type ProfileTable } from "./types.ts";

/** The feature-selection operations. */
export type FeatureSelectOperation =
  | "variance_threshold"
  | "frequency_threshold"
  | "correlation_threshold"
  | "drop_outliers";

/** All operations, in pycytominer's order. */
export const ALL_OPERATIONS: readonly FeatureSelectOperation[] = [
  "variance_threshold",
  "frequency_threshold",
  "correlation_threshold",
  "drop_outliers",
];

/** Options of {@linkcode featureSelect}; defaults are pycytominer's. */
export interface FeatureSelectOptions {
  /** Operations to run (default: all four). */
  operations?: readonly FeatureSelectOperation[];
  /** `variance_threshold`: minimum population variance (1e-6). */
  minVariance?: number;
  /** `frequency_threshold`: second-most / most common count ratio cut (0.05). */
  freqCut?: number;
  /** `frequency_threshold`: distinct values / rows cut (0.01). */
  uniqueCut?: number;
  /** `correlation_threshold`: Pearson cut (0.9). */
  threshold?: number;
  /** `drop_outliers`: absolute value cut (500). */
  outlierCutoff?: number;
}

/** Result of {@linkcode featureSelect}. */
export interface FeatureSelectResult<R extends ProfileRow> {
  /** The table with the selected features only. */
  table: ProfileTable<R>;
  /** Features each operation excluded (a feature may appear under several). */
  excluded: Partial<Record<FeatureSelectOperation, string[]>>;
}

function column(table: ProfileTable<ProfileRow>, j: number): Float64Array {
  const n = table.rows.length, d = table.features.length;
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) c[i] = table.data[i * d + j];
  return c;
}

/**
 * Features whose population variance (NaN skipped) is below `minVariance`.
 *
 * @param table Input table.
 * @param minVariance Cut (default 1e-6).
 */
export function varianceThreshold(table: ProfileTable<ProfileRow>, minVariance = 1e-6): string[] {
  assertShape(table, "varianceThreshold");
  const out: string[] = [];
  table.features.forEach((name, j) => {
    const c = column(table, j);
    let m = 0, s = 0;
    for (const v of c) {
      if (v === v) {
        m++;
        s += v;
      }
    }
    if (m === 0) return; // all NaN: pandas var is NaN, and NaN < eps is false
    const mu = s / m;
    let ss = 0;
    for (const v of c) if (v === v) ss += (v - mu) * (v - mu);
    if (ss / m < minVariance) out.push(name);
  });
  return out;
}

/**
 * Features failing pycytominer's frequency / uniqueness test (see module doc).
 *
 * @param table Input table.
 * @param freqCut Second-most / most common count ratio cut (default 0.05).
 * @param uniqueCut Distinct values / rows cut (default 0.01).
 */
export function frequencyThreshold(
  table: ProfileTable<ProfileRow>,
  freqCut = 0.05,
  uniqueCut = 0.01,
): string[] {
  assertShape(table, "frequencyThreshold");
  if (!(freqCut >= 0 && freqCut <= 1)) {
    throw new RangeError(`frequencyThreshold: expected freqCut in [0, 1], got ${freqCut}`);
  }
  if (!(uniqueCut >= 0 && uniqueCut <= 1)) {
    throw new RangeError(`frequencyThreshold: expected uniqueCut in [0, 1], got ${uniqueCut}`);
  }
  const n = table.rows.length;
  const out: string[] = [];
  table.features.forEach((name, j) => {
    const counts = new Map<number, number>();
    for (const v of column(table, j)) if (v === v) counts.set(v, (counts.get(v) ?? 0) + 1);
    let first = 0, second = 0;
    for (const c of counts.values()) {
      if (c > first) {
        second = first;
        first = c;
      } else if (c > second) second = c;
    }
    const lowFreq = counts.size < 2 || second / first < freqCut;
    const lowUnique = counts.size / n < uniqueCut;
    if (lowFreq || lowUnique) out.push(name);
  });
  return out;
}

/**
 * Pearson correlation matrix of the columns (d × d, row-major). A constant
 * column has NaN correlations (and a NaN diagonal), as pandas.
 *
 * @param table Input table (no NaN expected).
 */
export function correlationMatrix(table: ProfileTable<ProfileRow>): Float64Array {
  assertShape(table, "correlationMatrix");
  const n = table.rows.length, d = table.features.length, x = table.data;
  const z = new Float64Array(n * d);
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i * d + j];
    const mu = s / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (x[i * d + j] - mu) ** 2;
    const norm = Math.sqrt(ss);
    for (let i = 0; i < n; i++) z[i * d + j] = norm > 0 ? (x[i * d + j] - mu) / norm : NaN;
  }
  const r = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let a = 0; a < d; a++) {
      const za = z[o + a];
      const ro = a * d;
      for (let b = a; b < d; b++) r[ro + b] += za * z[o + b];
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = Math.max(-1, Math.min(1, r[a * d + b]));
      r[a * d + b] = Number.isNaN(r[a * d + b]) ? NaN : v;
      r[b * d + a] = r[a * d + b];
    }
  }
  return r;
}

/**
 * Features excluded by pycytominer's `correlation_threshold` (see module doc).
 *
 * @param table Input table.
 * @param threshold Correlation cut in [0, 1] (default 0.9).
 */
export function correlationThreshold(table: ProfileTable<ProfileRow>, threshold = 0.9): string[] {
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new RangeError(`correlationThreshold: expected threshold in [0, 1], got ${threshold}`);
  }
  const d = table.features.length;
  const r = correlationMatrix(table);
  const sum = new Float64Array(d);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      const v = r[a * d + b];
      if (v === v) sum[a] += Math.abs(v);
    }
  }
  const order = Array.from({ length: d }, (_, j) => j).sort((a, b) => sum[a] - sum[b] || a - b);
  const rank = new Int32Array(d);
  order.forEach((j, k) => rank[j] = k);
  const excluded = new Set<number>();
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < a; b++) {
      if (r[a * d + b] > threshold) excluded.add(rank[a] > rank[b] ? a : b);
    }
  }
  return [...excluded].sort((a, b) => a - b).map((j) => table.features[j]);
}

/**
 * Features whose maximum absolute value exceeds `cutoff`.
 *
 * @param table Input table.
 * @param cutoff Absolute value cut (default 500).
 */
export function dropOutliers(table: ProfileTable<ProfileRow>, cutoff = 500): string[] {
  assertShape(table, "dropOutliers");
  const n = table.rows.length, d = table.features.length, x = table.data;
  const out: string[] = [];
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) {
      if (Math.abs(x[i * d + j]) > cutoff) {
        out.push(table.features[j]);
        break;
      }
    }
  }
  return out;
}

/**
 * Runs the chosen operations on `table` and drops the union of their
 * exclusions. Throws a {@linkcode NotApplicableError} when every feature would be dropped.
 *
 * @param table Input table (usually normalised well profiles, all wells).
 * @param options Operations and cuts.
 */
export function featureSelect<R extends ProfileRow>(
  table: ProfileTable<R>,
  options: FeatureSelectOptions = {},
): FeatureSelectResult<R> {
  const ops = options.operations ?? ALL_OPERATIONS;
  const excluded: Partial<Record<FeatureSelectOperation, string[]>> = {};
  for (const op of ops) {
    switch (op) {
      case "variance_threshold":
        excluded[op] = varianceThreshold(table, options.minVariance);
        break;
      case "frequency_threshold":
        excluded[op] = frequencyThreshold(table, options.freqCut, options.uniqueCut);
        break;
      case "correlation_threshold":
        excluded[op] = correlationThreshold(table, options.threshold);
        break;
      case "drop_outliers":
        excluded[op] = dropOutliers(table, options.outlierCutoff);
        break;
      default:
        throw new RangeError(`featureSelect: expected one of ${ALL_OPERATIONS.join(", ")}, got "${op}"`);
    }
  }
  const drop = new Set(Object.values(excluded).flat());
  const keep = table.features.map((_, j) => j).filter((j) => !drop.has(table.features[j]));
  if (keep.length === 0) {
    const by = Object.entries(excluded).filter(([, f]) => f.length).map(([op, f]) => `${op} ${f.length}`);
    throw new NotApplicableError(
      `featureSelect: every one of the ${table.features.length} features was excluded (${
        by.join(", ")
      }; expected at least one to remain)`,
    );
  }
  return { table: selectColumns(table, keep), excluded };
}
