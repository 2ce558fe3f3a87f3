/**
 * Helpers shared by the profiling tests (not part of the library API).
 *
 * @module
 */

import assert from "node:assert/strict";
import { haveSharedData, SHARED_DATA } from "../data/test_util.ts";
import type { ProfileRow, ProfileTable } from "./types.ts";
import { Rng } from "../data/rng.ts";
import type { CellRow } from "../imaging/shards.ts";

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

/**
 * Cell rows of 2 plates in 2 batches: 6 DMSO cells, 3 cells of each of 4 compounds of 2 MOAs, and one cell of
 * an unannotated compound per plate.
 */
export function cellRows(): CellRow[] {
  const rows: CellRow[] = [];
  const cell = (
    plate: string,
    batch: string,
    well: string,
    compound: string,
    concentration: number,
    moa: string | null,
  ) =>
    rows.push({
      plate,
      well,
      site: 1,
      compound,
      concentration,
      moa,
      batch,
      shard: `shards/${plate}/${well}.crops`,
      index: rows.length,
      centroidX: 0,
      centroidY: 0,
      nucleusArea: 1,
      cellArea: 2,
      eccentricity: 0,
      solidity: 1,
    });
  for (const [plate, batch] of [["Week1_1", "Week1"], ["Week2_1", "Week2"]]) {
    for (let i = 0; i < 6; i++) cell(plate, batch, "B02", "DMSO", 0, "DMSO");
    for (let i = 0; i < 3; i++) cell(plate, batch, "C03", "taxol", 1, "Microtubule stabilizers");
    for (let i = 0; i < 3; i++) cell(plate, batch, "C04", "docetaxel", 1, "Microtubule stabilizers");
    for (let i = 0; i < 3; i++) cell(plate, batch, "D04", "AZ138", 1, "Eg5 inhibitors");
    for (let i = 0; i < 3; i++) cell(plate, batch, "D05", "AZ-C", 1, "Eg5 inhibitors");
    cell(plate, batch, "E05", "unknown", 1, null);
  }
  return rows;
}

/**
 * Features of {@linkcode cellRows}: a batch offset (Week2 + 3), a signal per MOA (+j for microtubule
 * stabilizers, −j for Eg5 inhibitors) and uniform noise of amplitude `noise` drawn with `seed`.
 */
export function features(rows: readonly CellRow[], d: number, seed: number, noise = 1): Float32Array {
  const rng = new Rng(seed);
  const data = new Float32Array(rows.length * d);
  rows.forEach((r, i) => {
    for (let j = 0; j < d; j++) {
      data[i * d + j] = (r.batch === "Week2" ? 3 : 0) + (r.moa === "Microtubule stabilizers" ? j : 0) +
        (r.moa === "Eg5 inhibitors" ? -j : 0) + noise * rng.uniform();
    }
  });
  return data;
}
