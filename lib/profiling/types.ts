/**
 * Shared types of the profiling library: a features matrix (row-major, n × d)
 * with one metadata record per row.
 *
 * @module
 */

import { DMSO } from "../data/bbbc021.ts";

/** A row-major feature matrix: `Float32Array` (cells) or `Float64Array` (aggregates). */
export type Floats = Float32Array | Float64Array;

/** Metadata of one measured row: a cell or a well. */
export interface ProfileRow {
  /** Plate barcode, e.g. `Week4_27481`. */
  plate: string;
  /** Well, e.g. `B02`. */
  well: string;
  /** Batch the plate belongs to (BBBC021: the week, e.g. `Week4`). */
  batch: string;
  /** Compound name; the negative control is `DMSO`. */
  compound: string;
  /** Concentration in µM. */
  concentration: number;
  /** Mechanism of action, or `null` when the treatment has none. */
  moa: string | null;
}

/**
 * Metadata of an aggregated row (a well or a treatment). `plate`, `well` and
 * `batch` hold the single value when the group has one, otherwise the sorted
 * distinct values joined with `|` (a treatment spanning several plates has
 * `plate: "Week1_22123|Week1_22141"`); the lists below always hold them all.
 */
export interface AggregateRow extends ProfileRow {
  /** Sorted distinct plates of the group's members. */
  plates: string[];
  /** Sorted distinct batches of the group's members. */
  batches: string[];
  /** Sorted distinct `plate/well` keys of the group's members. */
  wells: string[];
  /** Number of member rows aggregated (cells or wells). */
  count: number;
}

/** A features matrix with its column names and per-row metadata. */
export interface ProfileTable<R extends ProfileRow = ProfileRow> {
  /** Feature (column) names, length d. */
  features: string[];
  /** Row-major values, length `rows.length * features.length`. */
  data: Floats;
  /** Metadata, one per row. */
  rows: R[];
}

/** A features matrix whose rows carry any metadata (treatment profiles for evaluation). */
export interface Matrix<R> {
  /** Feature (column) names, length d. */
  features: string[];
  /** Row-major values, length `rows.length * features.length`. */
  data: Floats;
  /** Metadata, one per row. */
  rows: R[];
}

/** The compound name of the negative control (BBBC021's `DMSO`). */
export const CONTROL: string = DMSO;

/**
 * The canonical key of a treatment, `compound@concentration` with the
 * concentration rounded to 6 significant digits (`3`, `3.0` and `3.000000`
 * give the same key); the same key as the BBBC021 metadata reader's.
 */
export { treatmentKey } from "../data/bbbc021.ts";

/**
 * Throws when `table.data.length` is not `rows × features`.
 *
 * @param table The table to check.
 * @param where Name of the caller, used in the message.
 */
export function assertShape(
  table: { features: readonly string[]; data: Floats; rows: readonly unknown[] },
  where: string,
): void {
  const n = table.rows.length, d = table.features.length;
  if (table.data.length !== n * d) {
    throw new RangeError(
      `${where}: expected data of length rows × features = ${n} × ${d} = ${n * d}, got ${table.data.length}`,
    );
  }
}
