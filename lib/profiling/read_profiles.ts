/**
 * Reading a CellProfiler-style per-well profile CSV and annotating its wells
 * with BBBC021 treatments, batches and MOAs.
 *
 * Columns: the plate (`Metadata_Plate`, `Image_Metadata_Plate` or
 * `Image_Metadata_Plate_DAPI`) and well (`Metadata_Well`, `Image_Metadata_Well`
 * or `Image_Metadata_Well_DAPI`) identify the well. Every column starting with
 * `Metadata_` or `Image_Metadata_` is metadata. Every other column is a
 * feature when all its values parse as numbers (empty, `NA`, `nan` and `NaN`
 * read as NaN); a column with other text is ignored with a warning.
 *
 * @module
 */

import { type Bbbc021Metadata, bbbc021Wells, wellKey } from "../data/bbbc021.ts";
import { type CsvGrid, findColumn } from "../data/csv.ts";
import { type ProfileRow, type ProfileTable, treatmentKey } from "./types.ts";

/** Result of {@linkcode annotateWellProfiles}. */
export interface ReadProfilesResult {
  /** Annotated wells (Float64Array values). */
  table: ProfileTable<ProfileRow>;
  /** Human-readable warnings about ignored columns and rows. */
  warnings: string[];
  /** Treatment keys without a MOA (they are kept with `moa: null`). */
  withoutMoa: string[];
}

const NAN_TEXT = new Set(["", "NA", "nan", "NaN", "NAN", "null", "None"]);

/** Whether a column is metadata, not a feature. */
export function isMetadataColumn(name: string): boolean {
  return name.startsWith("Metadata_") || name.startsWith("Image_Metadata_");
}

/**
 * Turns a parsed per-well CSV into an annotated profile table. Wells absent
 * from the image metadata are dropped with a warning; treatments absent from
 * the MOA table keep `moa: null` and are listed in `withoutMoa` (evaluation
 * leaves them out). The control (`DMSO`) takes the MOA table's label if any.
 *
 * @param csv Parsed CSV (`parseCsvGrid` of `lib/data/csv.ts`).
 * @param metadata BBBC021 metadata (`parseBbbc021Metadata` of `lib/data/bbbc021.ts`).
 * @param source File name for messages.
 */
export function annotateWellProfiles(
  csv: CsvGrid,
  metadata: Bbbc021Metadata,
  source: string,
): ReadProfilesResult {
  const iPlate = findColumn(
    csv.header,
    ["Metadata_Plate", "Image_Metadata_Plate", "Image_Metadata_Plate_DAPI"],
    source,
  );
  const iWell = findColumn(
    csv.header,
    ["Metadata_Well", "Image_Metadata_Well", "Image_Metadata_Well_DAPI"],
    source,
  );
  const wells = bbbc021Wells(metadata.fields);
  const warnings: string[] = [];
  const featureCols: number[] = [];
  const textCols: string[] = [];
  csv.header.forEach((name, j) => {
    if (j === iPlate || j === iWell || isMetadataColumn(name)) return;
    for (const r of csv.rows) {
      const t = r[j].trim();
      if (!NAN_TEXT.has(t) && Number.isNaN(Number(t))) {
        textCols.push(name);
        return;
      }
    }
    featureCols.push(j);
  });
  if (textCols.length) {
    warnings.push(
      `${source}: ignored ${textCols.length} non-numeric column(s) that are not Metadata_*: ${
        textCols.slice(0, 5).join(", ")
      }${textCols.length > 5 ? ", …" : ""}`,
    );
  }
  if (featureCols.length === 0) {
    throw new Error(
      `${source}: expected at least one numeric feature column besides plate, well and Metadata_* columns`,
    );
  }
  const rows: ProfileRow[] = [];
  const kept: number[] = [];
  const unknown: string[] = [];
  const seen = new Set<string>();
  csv.rows.forEach((r, i) => {
    const key = wellKey(r[iPlate], r[iWell]);
    const a = wells.get(key);
    if (!a) {
      unknown.push(key);
      return;
    }
    if (seen.has(key)) {
      throw new Error(
        `${source}: line ${csv.lines[i]}: well ${key} appears twice (expected one row per well)`,
      );
    }
    seen.add(key);
    rows.push({ ...a });
    kept.push(i);
  });
  if (unknown.length) {
    warnings.push(
      `${source}: dropped ${unknown.length} well(s) not found in the image metadata (expected BBBC021 plate/well): ${
        unknown.slice(0, 5).join(", ")
      }${unknown.length > 5 ? ", …" : ""}`,
    );
  }
  if (rows.length === 0) throw new Error(`${source}: no well matched the image metadata`);
  const d = featureCols.length;
  const data = new Float64Array(rows.length * d);
  kept.forEach((i, r) => {
    const src = csv.rows[i];
    for (let c = 0; c < d; c++) {
      const t = src[featureCols[c]].trim();
      data[r * d + c] = NAN_TEXT.has(t) ? NaN : Number(t);
    }
  });
  const withoutMoa = [
    ...new Set(rows.filter((r) => r.moa === null).map((r) => treatmentKey(r.compound, r.concentration))),
  ].sort();
  return { table: { features: featureCols.map((j) => csv.header[j]), data, rows }, warnings, withoutMoa };
}
