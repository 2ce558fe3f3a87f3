/**
 * Which plates and fields of an image table have their files on disk: a folder may hold only some plates or
 * some fields of BBBC021 (a partial copy, a test subset), and a field may lack one channel file.
 * {@linkcode platesPresent} finds the plates whose folder exists; {@linkcode censusFields} sorts the fields into
 * complete (all three files), incomplete (some but not all) and absent (none), reading each image folder's
 * listing once instead of testing 39,600 paths one by one.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { type Bbbc021Field, CHANNELS, IMAGE_CSV } from "./bbbc021.ts";

/** What {@linkcode platesPresent} finds. */
export interface PlatesPresent {
  /** The plates found (or asked for), in table order. */
  plates: string[];
  /** Number of plates in the image table. */
  listed: number;
}

/**
 * The plates of an image table whose folder (the `Image_PathName_*` of their fields, e.g.
 * `Week2/Week2_24381`) exists under `imageRoot`, in table order; with `wanted` non-empty, those plates, each
 * of which must be there.
 *
 * @throws Error naming the folder when `imageRoot` is missing, when no plate folder is found, or when a wanted
 * plate is not in the table or has no folder.
 */
export async function platesPresent(
  imageRoot: string,
  fields: readonly Bbbc021Field[],
  wanted: readonly string[] = [],
): Promise<PlatesPresent> {
  const folders = new Map<string, string>();
  for (const f of fields) if (!folders.has(f.plate)) folders.set(f.plate, dirname(f.files[0]));
  const isDir = (path: string) => Deno.stat(path).then((s) => s.isDirectory, () => false);
  if (!(await isDir(imageRoot))) {
    throw new Error(`Cannot use '${imageRoot}' as a BBBC021 image folder: expected a folder, found none`);
  }
  for (const plate of wanted) {
    const folder = folders.get(plate);
    if (folder === undefined) {
      throw new Error(
        `Cannot use plate '${plate}': expected a plate of ${IMAGE_CSV} (it has ${folders.size}, e.g. '${
          [...folders.keys()][0]
        }'), found none`,
      );
    }
    if (!(await isDir(join(imageRoot, folder)))) {
      throw new Error(
        `Cannot use plate '${plate}': expected its folder '${join(imageRoot, folder)}', found none`,
      );
    }
  }
  if (wanted.length > 0) return { plates: [...wanted], listed: folders.size };
  const plates: string[] = [];
  for (const [plate, folder] of folders) if (await isDir(join(imageRoot, folder))) plates.push(plate);
  if (plates.length === 0) {
    const [first] = folders.values();
    throw new Error(
      `Cannot use '${imageRoot}' as a BBBC021 image folder: expected plate folders as the ${IMAGE_CSV} paths give them (e.g. '${
        join(imageRoot, first ?? "WeekN/<plate>")
      }'), found none of its ${folders.size} plates`,
    );
  }
  return { plates, listed: folders.size };
}

/** A field with some of its channel files but not all. */
export interface IncompleteField {
  /** The field. */
  field: Bbbc021Field;
  /** Indices (0 DNA, 1 tubulin, 2 actin) of the channels whose file is missing. */
  missing: number[];
}

/** The fields of a table sorted by which of their files exist (each list in table order). */
export interface FieldCensus {
  /** Fields with all three channel files. */
  complete: Bbbc021Field[];
  /** Fields with one or two of their channel files. */
  incomplete: IncompleteField[];
  /** Fields with none of their files. */
  absent: Bbbc021Field[];
}

async function listing(dir: string): Promise<Set<string>> {
  const names = new Set<string>();
  try {
    for await (const e of Deno.readDir(dir)) if (!e.isDirectory) names.add(e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return names;
    throw e;
  }
  return names;
}

/**
 * Sorts `fields` by which of their channel files exist under `imageRoot` (the folder the `Image_PathName_*`
 * columns are relative to).
 *
 * @throws Error when a folder exists but cannot be read (e.g. permissions).
 */
export async function censusFields(
  imageRoot: string,
  fields: readonly Bbbc021Field[],
): Promise<FieldCensus> {
  const dirs = new Map<string, Promise<Set<string>>>();
  const has = async (file: string) => {
    const dir = join(imageRoot, dirname(file));
    let names = dirs.get(dir);
    if (!names) dirs.set(dir, names = listing(dir));
    return (await names).has(basename(file));
  };
  const census: FieldCensus = { complete: [], incomplete: [], absent: [] };
  for (const field of fields) {
    const missing: number[] = [];
    for (let c = 0; c < 3; c++) if (!(await has(field.files[c]))) missing.push(c);
    if (missing.length === 0) census.complete.push(field);
    else if (missing.length === 3) census.absent.push(field);
    else census.incomplete.push({ field, missing });
  }
  return census;
}

const and = (xs: readonly string[]) =>
  xs.length < 2 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs.at(-1)}`;

/**
 * A one-line reason for skipping an incomplete field, naming the missing files as the image table gives them
 * (relative to the image root) and the channels that are there, e.g. `no actin file
 * 'Week2/Week2_24381/…_s3_w4….tif' (DNA and tubulin are present)`.
 */
export function missingFilesMessage(entry: IncompleteField): string {
  const { field, missing } = entry;
  const names = missing.map((c) => CHANNELS[c]);
  const files = missing.map((c) => `'${field.files[c]}'`).join(", ");
  const present = [0, 1, 2].filter((c) => !missing.includes(c)).map((c) => CHANNELS[c]);
  return `no ${and(names)} file${missing.length > 1 ? "s" : ""} ${files} (${and(present)} ${
    present.length > 1 ? "are" : "is"
  } present)`;
}
