/**
 * Removal of unusable feature columns: columns with non-finite values
 * (NaN, ±Infinity) and constant columns (they carry no information and make
 * robust z-scores and correlations undefined).
 *
 * @module
 */

import { NotApplicableError } from "./not_applicable.ts";
import { assertShape, type ProfileRow, type ProfileTable } from "./types.ts";

/** Result of {@linkcode dropInvalidFeatures}. */
export interface CleanResult<R extends ProfileRow> {
  /** The table without the dropped columns (same array type as the input). */
  table: ProfileTable<R>;
  /** Columns dropped because they had a NaN or infinite value. */
  nonFinite: string[];
  /** Columns dropped because every row had the same value. */
  constant: string[];
  /** One human-readable line per kind of drop; empty when nothing was dropped. */
  warnings: string[];
}

/**
 * Keeps the columns listed in `keep` (indices, increasing).
 *
 * @param table Input table.
 * @param keep Column indices to keep.
 */
export function selectColumns<R extends ProfileRow>(table: ProfileTable<R>, keep: number[]): ProfileTable<R> {
  assertShape(table, "selectColumns");
  const n = table.rows.length, d = table.features.length, k = keep.length;
  for (const j of keep) {
    if (!(j >= 0 && j < d)) {
      throw new RangeError(`selectColumns: expected column indices in [0, ${d}), got ${j}`);
    }
  }
  const Ctor = table.data instanceof Float32Array ? Float32Array : Float64Array;
  const out = new Ctor(n * k);
  for (let i = 0; i < n; i++) {
    const so = i * d, oo = i * k;
    for (let c = 0; c < k; c++) out[oo + c] = table.data[so + keep[c]];
  }
  return { features: keep.map((j) => table.features[j]), data: out, rows: table.rows };
}

function list(names: string[]): string {
  return names.length <= 5
    ? names.join(", ")
    : `${names.slice(0, 5).join(", ")} and ${names.length - 5} more`;
}

/**
 * Drops feature columns that contain a non-finite value or that are constant
 * over all rows, and says so in `warnings`. Throws a {@linkcode NotApplicableError} when no column is left.
 *
 * @param table Input table.
 * @param source Name of the data (e.g. a file path) used in the warnings.
 */
export function dropInvalidFeatures<R extends ProfileRow>(
  table: ProfileTable<R>,
  source = "profiles",
): CleanResult<R> {
  assertShape(table, "dropInvalidFeatures");
  const n = table.rows.length, d = table.features.length, x = table.data;
  const nonFinite: string[] = [], constant: string[] = [], keep: number[] = [];
  for (let j = 0; j < d; j++) {
    let finite = true, same = true;
    const first = n > 0 ? x[j] : 0;
    for (let i = 0; i < n; i++) {
      const v = x[i * d + j];
      if (!Number.isFinite(v)) {
        finite = false;
        break;
      }
      if (v !== first) same = false;
    }
    if (!finite) nonFinite.push(table.features[j]);
    else if (same && n > 1) constant.push(table.features[j]);
    else keep.push(j);
  }
  const warnings: string[] = [];
  if (nonFinite.length) {
    warnings.push(
      `${source}: dropped ${nonFinite.length} feature column(s) with NaN or infinite values (expected finite numbers): ${
        list(nonFinite)
      }`,
    );
  }
  if (constant.length) {
    warnings.push(`${source}: dropped ${constant.length} constant feature column(s): ${list(constant)}`);
  }
  if (keep.length === 0) {
    throw new NotApplicableError(
      `${source}: no usable feature column left (${d} columns: all non-finite or constant)`,
    );
  }
  return { table: keep.length === d ? table : selectColumns(table, keep), nonFinite, constant, warnings };
}
