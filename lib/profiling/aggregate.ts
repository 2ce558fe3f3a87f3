/**
 * Aggregation of rows (cells or wells) into well or treatment profiles.
 *
 * A treatment is a (compound, concentration) pair. The paper's profile is the
 * mean over all cells of a treatment (no well step); the usual alternative is
 * cells → well mean → treatment median (call {@linkcode aggregate} twice).
 *
 * @module
 */

import { medianInPlace } from "./stats.ts";
import { type AggregateRow, assertShape, type ProfileRow, type ProfileTable, treatmentKey } from "./types.ts";
import { wellKey } from "../data/bbbc021.ts";

/** How the members of a group are combined, feature by feature (NaN skipped, as pandas). */
export type AggregateMethod = "mean" | "median";

/** What a group is: one well (`plate/well`) or one treatment (compound + concentration). */
export type AggregateLevel = "well" | "treatment";

/** Options of {@linkcode aggregate}. */
export interface AggregateOptions {
  /** Grouping level. */
  by: AggregateLevel;
  /** Combination, default `"mean"`. */
  method?: AggregateMethod;
}

function joined(values: string[]): string {
  return values.length === 1 ? values[0] : values.join("|");
}

function membersOf(row: ProfileRow, field: "plates" | "batches" | "wells"): string[] {
  const agg = row as Partial<AggregateRow>;
  if (agg[field]) return agg[field]!;
  if (field === "plates") return [row.plate];
  if (field === "batches") return [row.batch];
  return [wellKey(row.plate, row.well)];
}

/**
 * Aggregates the rows of `table` per well or per treatment. Groups come out
 * sorted (wells by plate then well; treatments by compound then
 * concentration), so the result does not depend on the input order. Rows that
 * are themselves aggregates pass on their plates, batches and wells; `count`
 * is the number of input rows in the group. A feature that is NaN for every
 * member gives NaN.
 *
 * @param table Input rows (cells, or wells when `by: "treatment"`).
 * @param options Level and method.
 * @returns One row per group, values as `Float64Array`.
 */
export function aggregate<R extends ProfileRow>(
  table: ProfileTable<R>,
  options: AggregateOptions,
): ProfileTable<AggregateRow> {
  assertShape(table, "aggregate");
  const method = options.method ?? "mean";
  if (method !== "mean" && method !== "median") {
    throw new RangeError(`aggregate: expected method "mean" or "median", got "${method}"`);
  }
  if (options.by !== "well" && options.by !== "treatment") {
    throw new RangeError(`aggregate: expected by "well" or "treatment", got "${options.by}"`);
  }
  const d = table.features.length;
  const src = table.data;
  const groups = new Map<string, number[]>();
  table.rows.forEach((row, i) => {
    const key = options.by === "well"
      ? wellKey(row.plate, row.well)
      : treatmentKey(row.compound, row.concentration);
    let g = groups.get(key);
    if (!g) groups.set(key, g = []);
    g.push(i);
  });
  const members = [...groups.values()];
  const rowOf = (g: number[]) => table.rows[g[0]];
  members.sort((a, b) => {
    const ra = rowOf(a), rb = rowOf(b);
    if (options.by === "well") {
      return ra.plate < rb.plate
        ? -1
        : ra.plate > rb.plate
        ? 1
        : ra.well < rb.well
        ? -1
        : ra.well > rb.well
        ? 1
        : 0;
    }
    return ra.compound < rb.compound
      ? -1
      : ra.compound > rb.compound
      ? 1
      : ra.concentration - rb.concentration;
  });

  const out = new Float64Array(members.length * d);
  const rows: AggregateRow[] = [];
  const scratch = new Float64Array(Math.max(1, ...members.map((g) => g.length)));
  const sum = new Float64Array(d);
  const cnt = new Float64Array(d);
  members.forEach((g, gi) => {
    const base = gi * d;
    if (method === "mean") {
      sum.fill(0);
      cnt.fill(0);
      for (const i of g) {
        const off = i * d;
        for (let j = 0; j < d; j++) {
          const v = src[off + j];
          if (v === v) { // not NaN
            sum[j] += v;
            cnt[j]++;
          }
        }
      }
      for (let j = 0; j < d; j++) out[base + j] = cnt[j] > 0 ? sum[j] / cnt[j] : NaN;
    } else {
      for (let j = 0; j < d; j++) {
        for (let k = 0; k < g.length; k++) scratch[k] = src[g[k] * d + j];
        out[base + j] = medianInPlace(scratch, g.length);
      }
    }
    const plates = new Set<string>(), batches = new Set<string>(), wells = new Set<string>();
    let moa: string | null = null;
    for (const i of g) {
      const r = table.rows[i];
      for (const p of membersOf(r, "plates")) plates.add(p);
      for (const b of membersOf(r, "batches")) batches.add(b);
      for (const w of membersOf(r, "wells")) wells.add(w);
      if (r.moa !== null && r.moa !== undefined) {
        if (moa !== null && moa !== r.moa) {
          throw new Error(
            `aggregate: group ${
              treatmentKey(r.compound, r.concentration)
            } mixes mechanisms of action "${moa}" and "${r.moa}"; expected one per treatment`,
          );
        }
        moa = r.moa;
      }
    }
    const first = rowOf(g);
    const ps = [...plates].sort(), bs = [...batches].sort(), ws = [...wells].sort();
    rows.push({
      plate: joined(ps),
      well: options.by === "well" ? first.well : joined(ws),
      batch: joined(bs),
      compound: first.compound,
      concentration: first.concentration,
      moa,
      plates: ps,
      batches: bs,
      wells: ws,
      count: g.length,
    });
  });
  return { features: [...table.features], data: out, rows };
}
