/**
 * Profile tables (wells or treatments) as JSON: `{"features": [...], "rows": [...], "data": [...]}` with
 * `data` row-major. JSON numbers round-trip float64 exactly; NaN is written as null and read back as NaN.
 * @module
 */
import type { ProfileRow, ProfileTable } from "./types.ts";
import { assertShape } from "./types.ts";

/** Serialises a table. */
export function tableToJson<R extends ProfileRow>(table: ProfileTable<R>): string {
  assertShape(table, "tableToJson");
  return JSON.stringify({
    features: table.features,
    rows: table.rows,
    data: Array.from(table.data, (v) => (Number.isFinite(v) ? v : null)),
  });
}

/** Parses a table written by {@link tableToJson}. @throws Error naming `file` on a malformed table. */
export function tableFromJson<R extends ProfileRow>(text: string, file = "<table>"): ProfileTable<R> {
  let t: { features?: string[]; rows?: R[]; data?: (number | null)[] };
  try {
    t = JSON.parse(text);
  } catch (e) {
    throw new Error(`Cannot read profile table '${file}': ${(e as Error).message}`);
  }
  if (!Array.isArray(t.features) || !Array.isArray(t.rows) || !Array.isArray(t.data)) {
    throw new Error(`Cannot read profile table '${file}': expected features, rows and data arrays`);
  }
  const table = {
    features: t.features,
    rows: t.rows,
    data: Float64Array.from(t.data, (v) => (v === null ? NaN : v)),
  };
  try {
    assertShape(table, file);
  } catch (e) {
    throw new Error(`Cannot read profile table '${file}': ${(e as Error).message}`);
  }
  return table;
}
