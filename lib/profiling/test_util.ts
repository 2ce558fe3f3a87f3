/**
 * Helpers shared by the profiling tests (not part of the library API).
 *
 * @module
 */

import assert from "node:assert/strict";
import { haveSharedData, SHARED_DATA } from "../data/test_util.ts";
import type { ProfileRow, ProfileTable } from "./types.ts";

export { SHARED_DATA };

/** Whether the real BBBC021 metadata and profiles are present; logs a skip notice when not. */
export function hasSharedData(what: string): boolean {
  return haveSharedData("bbbc021/metadata/BBBC021_v1_moa.csv", what) &&
    haveSharedData("bbbc021/profiles/BBBC021_feature_selected_mad_robustize.csv", what);
}

/**
 * Asserts |actual − expected| ≤ tol.
 *
 * @param actual Value.
 * @param expected Expected value.
 * @param tol Tolerance.
 * @param what Label.
 */
export function assertClose(actual: number, expected: number, tol = 1e-9, what = "value"): void {
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what}: expected ${expected} ± ${tol}, got ${actual}`,
  );
}

/**
 * Builds a row with defaults.
 *
 * @param p Fields to set.
 */
export function row(p: Partial<ProfileRow>): ProfileRow {
  return {
    plate: "P1",
    well: "A01",
    batch: "W1",
    compound: "c",
    concentration: 1,
    moa: null,
    ...p,
  };
}

/**
 * Builds a table from rows of values.
 *
 * @param features Feature names.
 * @param values One array per row.
 * @param rows Row metadata.
 */
export function table<R extends ProfileRow>(
  features: string[],
  values: number[][],
  rows: R[],
): ProfileTable<R> {
  return { features, data: Float64Array.from(values.flat()), rows };
}

/**
 * A unit 2-d vector at `deg` degrees: cosine similarities between such vectors
 * are the cosines of the angle differences.
 *
 * @param deg Angle in degrees.
 */
export function unit(deg: number): number[] {
  const r = (deg * Math.PI) / 180;
  return [Math.cos(r), Math.sin(r)];
}
