/**
 * A minimal reader of the two official BBBC021 metadata tables
 * (`BBBC021_v1_image.csv`, `BBBC021_v1_moa.csv`): just what evaluation needs
 * to annotate a well with its treatment, batch and mechanism of action.
 *
 * NOTE: `lib/data` carries the full BBBC021 reader; the two should be unified.
 *
 * @module
 */

import { columnIndex, type CsvTable, readCsv } from "./csv.ts";
import { treatmentKey } from "./types.ts";

/** Treatment and batch of one well. */
export interface WellAnnotation {
  /** Plate barcode, e.g. `Week4_27481`. */
  plate: string;
  /** Well, e.g. `B02`. */
  well: string;
  /** Batch: the week folder of the plate, e.g. `Week4`. */
  batch: string;
  /** Compound name. */
  compound: string;
  /** Concentration (µM). */
  concentration: number;
}

/** The joined BBBC021 metadata. */
export interface Bbbc021Metadata {
  /** Well annotations keyed by `plate/well`. */
  wells: Map<string, WellAnnotation>;
  /** Mechanism of action keyed by {@linkcode treatmentKey}. */
  moa: Map<string, string>;
}

/**
 * Key of a well: `plate/well`.
 *
 * @param plate Plate barcode.
 * @param well Well name.
 */
export function wellKey(plate: string, well: string): string {
  return `${plate}/${well}`;
}

/**
 * The batch of a BBBC021 plate: the prefix before the first `_`
 * (`Week4_27481` → `Week4`), which is also the image folder's week.
 *
 * @param plate Plate barcode.
 */
export function batchOfPlate(plate: string): string {
  const i = plate.indexOf("_");
  return i > 0 ? plate.slice(0, i) : plate;
}

function parseNumber(text: string, source: string, line: number, column: string): number {
  const v = Number(text);
  if (text.trim() === "" || !Number.isFinite(v)) {
    throw new Error(`${source}: line ${line + 2}: expected a number in column ${column}, got "${text}"`);
  }
  return v;
}

/** Wells holding the taxol 0.3 µM positive control on every BBBC021 plate. */
export const TAXOL_CONTROL_WELLS: readonly string[] = ["B11", "C11", "D11", "E02", "F02", "G02"];

/**
 * Whether a well is one of the per-plate taxol 0.3 µM positive controls
 * (wells B11, C11, D11, E02, F02, G02 of all 55 plates). The usual 632-well
 * MOA subset (Ljosa et al. 2013; the public profiles in `../shared/data`)
 * leaves them out and keeps taxol 0.3 µM from its Week1 dose series only
 * (well D05 of three plates); with them, taxol 0.3 µM spans every batch and
 * drops out of NSCB. Filter cells or wells with this before aggregating to
 * follow that practice.
 *
 * @param w A well annotation.
 */
export function isTaxolPlateControl(w: { well: string; compound: string; concentration: number }): boolean {
  return w.compound === "taxol" && Math.abs(w.concentration - 0.3) < 1e-9 &&
    TAXOL_CONTROL_WELLS.includes(w.well);
}

/**
 * Builds the well map from a parsed `BBBC021_v1_image.csv` (one row per field
 * of view; the fields of one well must agree on compound and concentration).
 * The batch is the week folder of `Image_PathName_DAPI` when present,
 * otherwise the plate prefix.
 *
 * @param table Parsed image table.
 * @param source File name for messages.
 */
export function wellsFromImageTable(
  table: CsvTable,
  source = "BBBC021_v1_image.csv",
): Map<string, WellAnnotation> {
  const iPlate = columnIndex(
    table,
    ["Image_Metadata_Plate_DAPI", "Image_Metadata_Plate", "Metadata_Plate"],
    source,
  );
  const iWell = columnIndex(
    table,
    ["Image_Metadata_Well_DAPI", "Image_Metadata_Well", "Metadata_Well"],
    source,
  );
  const iCompound = columnIndex(table, ["Image_Metadata_Compound", "Metadata_Compound"], source);
  const iConc = columnIndex(table, ["Image_Metadata_Concentration", "Metadata_Concentration"], source);
  const iPath = table.header.indexOf("Image_PathName_DAPI");
  const wells = new Map<string, WellAnnotation>();
  table.rows.forEach((r, line) => {
    const plate = r[iPlate], well = r[iWell];
    const concentration = parseNumber(r[iConc], source, line, table.header[iConc]);
    const batch = iPath >= 0 && r[iPath].includes("/") ? r[iPath].split("/")[0] : batchOfPlate(plate);
    const key = wellKey(plate, well);
    const old = wells.get(key);
    if (old) {
      if (old.compound !== r[iCompound] || old.concentration !== concentration) {
        throw new Error(
          `${source}: line ${line + 2}: well ${key} is ${
            r[iCompound]
          } ${concentration} µM here but ${old.compound} ${old.concentration} µM on an earlier line`,
        );
      }
      return;
    }
    wells.set(key, { plate, well, batch, compound: r[iCompound], concentration });
  });
  return wells;
}

/**
 * Builds the MOA map from a parsed `BBBC021_v1_moa.csv`
 * (columns `compound`, `concentration`, `moa`).
 *
 * @param table Parsed MOA table.
 * @param source File name for messages.
 */
export function moaFromTable(table: CsvTable, source = "BBBC021_v1_moa.csv"): Map<string, string> {
  const iCompound = columnIndex(table, ["compound", "Metadata_Compound"], source);
  const iConc = columnIndex(table, ["concentration", "Metadata_Concentration"], source);
  const iMoa = columnIndex(table, ["moa", "Metadata_moa", "Metadata_MoA"], source);
  const moa = new Map<string, string>();
  table.rows.forEach((r, line) => {
    const key = treatmentKey(r[iCompound], parseNumber(r[iConc], source, line, table.header[iConc]));
    const old = moa.get(key);
    if (old !== undefined && old !== r[iMoa]) {
      throw new Error(
        `${source}: line ${line + 2}: ${key} has MOA "${r[iMoa]}" but "${old}" on an earlier line`,
      );
    }
    moa.set(key, r[iMoa]);
  });
  return moa;
}

/**
 * Reads both BBBC021 metadata files.
 *
 * @param imageCsv Path of `BBBC021_v1_image.csv`.
 * @param moaCsv Path of `BBBC021_v1_moa.csv`.
 */
export function readBbbc021Metadata(imageCsv: string, moaCsv: string): Bbbc021Metadata {
  return {
    wells: wellsFromImageTable(readCsv(imageCsv), imageCsv),
    moa: moaFromTable(readCsv(moaCsv), moaCsv),
  };
}
