/**
 * Reader for the BBBC021 metadata files `BBBC021_v1_image.csv` and
 * `BBBC021_v1_moa.csv`, with their real column names. One row of the image file
 * is one field of view (a site of a well) with three channel TIFFs; the MOA file
 * assigns a mechanism of action to 103 compound-concentrations plus DMSO.
 *
 * Channel order everywhere in this project: DNA (DAPI), B-tubulin, F-actin.
 *
 * @module
 */

import { join } from "node:path";
import { parseCsv } from "./csv.ts";

/** The three channels, in the project's order (the paper's DNA→R, B-tubulin→G, F-actin→B). */
export const CHANNELS = ["DNA", "tubulin", "actin"] as const;

/** A channel name. */
export type Channel = typeof CHANNELS[number];

/** File name of the image metadata table. */
export const IMAGE_CSV = "BBBC021_v1_image.csv";
/** File name of the mechanism-of-action table. */
export const MOA_CSV = "BBBC021_v1_moa.csv";

/** Columns of `BBBC021_v1_image.csv` that the reader needs. */
export const IMAGE_COLUMNS = [
  "Image_FileName_DAPI",
  "Image_PathName_DAPI",
  "Image_FileName_Tubulin",
  "Image_PathName_Tubulin",
  "Image_FileName_Actin",
  "Image_PathName_Actin",
  "Image_Metadata_Plate_DAPI",
  "Image_Metadata_Well_DAPI",
  "Replicate",
  "Image_Metadata_Compound",
  "Image_Metadata_Concentration",
] as const;

/** Columns of `BBBC021_v1_moa.csv`. */
export const MOA_COLUMNS = ["compound", "concentration", "moa"] as const;

/** The compound name of the negative control. */
export const DMSO = "DMSO";

/** One field of view (a site of a well) of BBBC021 or a dataset in its format. */
export interface Bbbc021Field {
  /** Plate name, e.g. `Week1_22123`. */
  plate: string;
  /** Well, e.g. `B02`. */
  well: string;
  /** Site (field) number within the well, from the `_sN_` part of the file name (1-based). */
  site: number;
  /** Compound name as in the image table, e.g. `taxol` or `DMSO`. */
  compound: string;
  /** Concentration in µM. */
  concentration: number;
  /**
   * Mechanism of action from `BBBC021_v1_moa.csv`, `"DMSO"` for the control, or
   * `null` when the compound-concentration is not in the MOA table.
   */
  moa: string | null;
  /** Batch: the `WeekN` first part of the path name, e.g. `Week1`. */
  batch: string;
  /** The `Replicate` column. */
  replicate: number;
  /** The three channel files relative to the image root, in the order DNA, tubulin, actin. */
  files: [string, string, string];
}

/** A row of `BBBC021_v1_moa.csv`. */
export interface Bbbc021Treatment {
  /** Compound name. */
  compound: string;
  /** Concentration in µM. */
  concentration: number;
  /** Mechanism of action (`"DMSO"` for the control). */
  moa: string;
}

/** Parsed BBBC021 metadata. */
export interface Bbbc021Metadata {
  /** All fields of the image table, in file order. */
  fields: Bbbc021Field[];
  /** All rows of the MOA table, in file order. */
  treatments: Bbbc021Treatment[];
}

/** Counts that describe a metadata set (see {@linkcode summarizeBbbc021}). */
export interface Bbbc021Summary {
  /** Number of fields of view. */
  fields: number;
  /** Number of distinct plates. */
  plates: number;
  /** Number of distinct batches (weeks). */
  batches: number;
  /** Number of distinct compounds in the image table (DMSO included). */
  compounds: number;
  /** Compound-concentrations with an MOA other than DMSO. */
  moaTreatments: number;
  /** Distinct compounds with an MOA other than DMSO. */
  moaCompounds: number;
  /** Distinct MOAs other than DMSO. */
  moas: number;
  /** Fields whose compound-concentration has an MOA (DMSO included). */
  moaFields: number;
  /** Fields of DMSO. */
  dmsoFields: number;
}

/** A canonical key for a compound-concentration (concentration rounded to 6 significant digits). */
export function treatmentKey(compound: string, concentration: number): string {
  return `${compound}@${Number(concentration.toPrecision(6))}`;
}

function parseConcentration(value: string, file: string, line: number, compound: string): number {
  const v = value.trim();
  const c = v === "" ? NaN : Number(v);
  if (!Number.isFinite(c) || c < 0) {
    throw new Error(
      `Cannot read '${file}' line ${line}: expected a non-negative number as the concentration of '${compound}', found '${value}'`,
    );
  }
  return c;
}

/**
 * Parses the text of `BBBC021_v1_moa.csv`.
 *
 * @throws Error naming the file and line for an empty compound or MOA, a bad
 * concentration, or a compound-concentration given two different MOAs.
 */
export function parseMoaCsv(text: string, file = MOA_CSV): Bbbc021Treatment[] {
  const t = parseCsv(text, { file, required: MOA_COLUMNS });
  const seen = new Map<string, string>();
  return t.rows.map((r, i) => {
    const compound = r.compound.trim();
    const moa = r.moa.trim();
    if (compound === "" || moa === "") {
      throw new Error(
        `Cannot read '${file}' line ${t.lines[i]}: expected a compound and an MOA, found an empty one`,
      );
    }
    const concentration = parseConcentration(r.concentration, file, t.lines[i], compound);
    const key = treatmentKey(compound, concentration);
    const old = seen.get(key);
    if (old !== undefined && old !== moa) {
      throw new Error(
        `Cannot read '${file}' line ${
          t.lines[i]
        }: expected one MOA per compound-concentration, found '${moa}' for ${key} but '${old}' on an earlier line`,
      );
    }
    seen.set(key, moa);
    return { compound, concentration, moa };
  });
}

const SITE_RE = /(?:^|_)s(\d+)(?:_|\.|$)/;

/**
 * Parses the texts of `BBBC021_v1_image.csv` and `BBBC021_v1_moa.csv`.
 *
 * @param imageCsv text of the image table
 * @param moaCsv text of the MOA table
 * @param files file names used in error messages
 * @throws Error naming the file and column or line for a missing column, an
 * unparseable concentration, a file name without a site, or a plate whose
 * channels lie in different folders.
 */
export function parseBbbc021Metadata(
  imageCsv: string,
  moaCsv: string,
  files: { image?: string; moa?: string } = {},
): Bbbc021Metadata {
  const imageFile = files.image ?? IMAGE_CSV;
  const treatments = parseMoaCsv(moaCsv, files.moa ?? MOA_CSV);
  const moaByKey = new Map(treatments.map((t) => [treatmentKey(t.compound, t.concentration), t.moa]));
  const t = parseCsv(imageCsv, { file: imageFile, required: IMAGE_COLUMNS });
  const fields: Bbbc021Field[] = t.rows.map((r, i) => {
    const line = t.lines[i];
    const compound = r.Image_Metadata_Compound.trim();
    const concentration = parseConcentration(r.Image_Metadata_Concentration, imageFile, line, compound);
    const plate = r.Image_Metadata_Plate_DAPI.trim();
    const well = r.Image_Metadata_Well_DAPI.trim();
    const names = [r.Image_FileName_DAPI, r.Image_FileName_Tubulin, r.Image_FileName_Actin].map((s) =>
      s.trim()
    );
    const paths = [r.Image_PathName_DAPI, r.Image_PathName_Tubulin, r.Image_PathName_Actin].map((s) =>
      s.trim().replaceAll("\\", "/")
    );
    const site = SITE_RE.exec(names[0]);
    if (!site) {
      throw new Error(
        `Cannot read '${imageFile}' line ${line}: expected a site '_sN_' in the DAPI file name, found '${
          names[0]
        }'`,
      );
    }
    const week = /^(Week\d+)(?:\/|_|$)/.exec(paths[0]) ?? /^(Week\d+)_/.exec(plate);
    if (!week) {
      throw new Error(
        `Cannot read '${imageFile}' line ${line}: expected the path name to start with a batch 'WeekN', found '${
          paths[0]
        }'`,
      );
    }
    const replicate = Number(r.Replicate);
    if (!Number.isInteger(replicate)) {
      throw new Error(
        `Cannot read '${imageFile}' line ${line}: expected an integer Replicate, found '${r.Replicate}'`,
      );
    }
    const moa = moaByKey.get(treatmentKey(compound, concentration)) ?? null;
    return {
      plate,
      well,
      site: Number(site[1]),
      compound,
      concentration,
      moa,
      batch: week[1],
      replicate,
      files: [0, 1, 2].map((c) => (paths[c] === "" ? names[c] : `${paths[c]}/${names[c]}`)) as [
        string,
        string,
        string,
      ],
    };
  });
  return { fields, treatments };
}

/**
 * Reads `BBBC021_v1_image.csv` and `BBBC021_v1_moa.csv` from a folder.
 *
 * @throws Error naming the missing file when one is absent.
 */
export async function readBbbc021Metadata(dir: string): Promise<Bbbc021Metadata> {
  const read = async (name: string) => {
    const path = join(dir, name);
    try {
      return await Deno.readTextFile(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new Error(`Cannot read BBBC021 metadata: expected the file '${path}', found none`);
      }
      throw e;
    }
  };
  // One after the other, so that with both files absent the error always names the image table.
  const image = await read(IMAGE_CSV);
  const moa = await read(MOA_CSV);
  return parseBbbc021Metadata(image, moa, { image: join(dir, IMAGE_CSV), moa: join(dir, MOA_CSV) });
}

/** The absolute (or root-relative) paths of a field's channel files, DNA, tubulin, actin. */
export function fieldPaths(imageRoot: string, field: Bbbc021Field): [string, string, string] {
  return field.files.map((f) => join(imageRoot, f)) as [string, string, string];
}

/** One well of BBBC021: what its fields (sites) share. */
export type Bbbc021Well = Pick<
  Bbbc021Field,
  "plate" | "well" | "batch" | "compound" | "concentration" | "moa"
>;

/** The key of a well, `plate/well` (e.g. `Week4_27481/B02`). */
export function wellKey(plate: string, well: string): string {
  return `${plate}/${well}`;
}

/**
 * The wells of a metadata set, keyed by {@linkcode wellKey}, in order of first
 * appearance: the well-level view used to annotate per-well profiles.
 *
 * @throws Error naming the well when two of its fields disagree on compound,
 * concentration or batch.
 */
export function bbbc021Wells(fields: readonly Bbbc021Field[]): Map<string, Bbbc021Well> {
  const wells = new Map<string, Bbbc021Well>();
  for (const f of fields) {
    const key = wellKey(f.plate, f.well);
    const old = wells.get(key);
    if (!old) {
      const { plate, well, batch, compound, concentration, moa } = f;
      wells.set(key, { plate, well, batch, compound, concentration, moa });
    } else if (
      old.compound !== f.compound || old.concentration !== f.concentration || old.batch !== f.batch
    ) {
      throw new Error(
        `Cannot group BBBC021 fields by well: expected the fields of well ${key} to share a treatment and batch, found ${f.compound} ${f.concentration} µM (${f.batch}) at site ${f.site} but ${old.compound} ${old.concentration} µM (${old.batch}) at an earlier one`,
      );
    }
  }
  return wells;
}

/** Wells holding the taxol 0.3 µM positive control on every BBBC021 plate. */
export const TAXOL_CONTROL_WELLS: readonly string[] = ["B11", "C11", "D11", "E02", "F02", "G02"];

/**
 * Whether a well is one of the per-plate taxol 0.3 µM positive controls
 * (wells B11, C11, D11, E02, F02, G02 of all 55 plates). The usual 632-well
 * MOA subset (Ljosa et al. 2013; the public profiles in `../shared/data`)
 * leaves them out and keeps taxol 0.3 µM from its Week1 dose series only
 * (well D05 of three plates); with them, taxol 0.3 µM spans every batch and
 * drops out of NSCB. Filter fields, cells or wells with this before
 * aggregating to follow that practice.
 */
export function isTaxolPlateControl(w: { well: string; compound: string; concentration: number }): boolean {
  return w.compound === "taxol" && Math.abs(w.concentration - 0.3) < 1e-9 &&
    TAXOL_CONTROL_WELLS.includes(w.well);
}

/** Counts fields, plates, batches, compounds and MOA labels of a metadata set. */
export function summarizeBbbc021(meta: Bbbc021Metadata): Bbbc021Summary {
  const moaTreat = meta.treatments.filter((t) => t.moa !== DMSO);
  const moaFields = meta.fields.filter((f) => f.moa !== null);
  return {
    fields: meta.fields.length,
    plates: new Set(meta.fields.map((f) => f.plate)).size,
    batches: new Set(meta.fields.map((f) => f.batch)).size,
    compounds: new Set(meta.fields.map((f) => f.compound)).size,
    moaTreatments: new Set(moaTreat.map((t) => treatmentKey(t.compound, t.concentration))).size,
    moaCompounds: new Set(moaTreat.map((t) => t.compound)).size,
    moas: new Set(moaTreat.map((t) => t.moa)).size,
    moaFields: moaFields.length,
    dmsoFields: meta.fields.filter((f) => f.compound === DMSO).length,
  };
}
