/**
 * Reads and validates one exported results folder (`results/<profile>/`, docs/results.md) into the data the
 * pages render. Only `run.json` is required; every other part is optional and left undefined (or empty) when
 * its file is absent. A file that is present but malformed, or that names an image that does not exist, is a
 * {@link ResultsFileError} naming the file and the field.
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import {
  CurvesJson,
  DoseResponseJson,
  EvaluationJson,
  FigureData,
  type FigureEntry,
  FiguresJson,
  GalleryJson,
  ModelsJson,
  parseResults,
  PhenotypesJson,
  RealismData,
  ResultsFileError,
  RunJson,
  type RunTask,
  Table1Json,
  TrainJson,
} from "./schema.ts";

/** Pixel size of an image. */
export interface ImageSize {
  width: number;
  height: number;
}

/** A figure with its numbers and the size of its PNG. */
export interface Figure extends FigureEntry {
  /** `data` of the figure's JSON, when it has one. */
  data?: unknown;
  /** Size of the figure's JSON in bytes. */
  jsonBytes?: number;
  /** The PNG's pixel size. */
  png?: ImageSize;
}

/** One sample grid written during training. */
export interface SampleGrid {
  /** Path relative to the profile folder. */
  file: string;
  /** The step it was drawn at (null for `final.png`). */
  step: number | null;
  size: ImageSize;
}

/** One model's training as exported (`train_<id>/`). */
export interface Training {
  /** The model's id (the registry's). */
  id: string;
  label: string;
  /** The GAN loss it trained with (`dcgan`, `lsgan`, `wgan`). */
  loss: string;
  /** Its objective in words. */
  objective: string;
  /** The training task in run.json, when it is part of the DAG. */
  task?: RunTask;
  train?: TrainJson;
  curves?: CurvesJson;
  /** Sample grids by step, `final.png` last. */
  samples: SampleGrid[];
}

/** Everything the pages of one profile render. */
export interface Profile {
  /** The folder name under results/. */
  name: string;
  /** The folder. */
  dir: string;
  run: RunJson;
  table1?: Table1Json;
  evaluation?: EvaluationJson;
  figures: Figure[];
  realism?: RealismData;
  /** The models, as `evaluate/models.json` lists them (else the `train_*` tasks of run.json). */
  models: { id: string; label: string; loss: string; objective: string; train: string }[];
  trainings: Training[];
  gallery?: GalleryJson;
  phenotypes?: PhenotypesJson;
  doseResponse?: DoseResponseJson;
  /** Pixel sizes of every image the pages show, by path relative to the profile folder. */
  images: Map<string, ImageSize>;
  /** Every file of the profile folder (relative paths): what the build copies. */
  files: string[];
}

/**
 * Profiles listed first, in this order: real BBBC021 cells of every MOA (`real-moa`), then the default,
 * synthetic `quick`. The others follow by name.
 */
export const PROFILE_ORDER: readonly string[] = ["real-moa", "quick"];

/** The profile folders under `results` (those with a run.json), in {@link sortProfiles} order. */
export function listProfiles(results: string): string[] {
  if (!existsSync(results)) throw new Error(`No results folder at ${results}`);
  const names = readdirSync(results, { withFileTypes: true })
    // A name starting with "." is no profile (an export's temporary copy, a hidden folder).
    .filter((d) =>
      d.isDirectory() && !d.name.startsWith(".") && existsSync(join(results, d.name, "run.json"))
    )
    .map((d) => d.name);
  return sortProfiles(names);
}

/** Orders profile names: those of {@link PROFILE_ORDER} first, in its order, then the others by name. */
export function sortProfiles(names: readonly string[]): string[] {
  const rank = (n: string) => {
    const i = PROFILE_ORDER.indexOf(n);
    return i < 0 ? PROFILE_ORDER.length : i;
  };
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The pixel size of a PNG, from its IHDR chunk; null when `bytes` is not a PNG. */
export function pngSize(bytes: Uint8Array): ImageSize | null {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || sig.some((b, i) => bytes[i] !== b)) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

function listFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const d of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${d.name}` : d.name;
    if (d.isDirectory()) out.push(...listFiles(dir, rel));
    else if (d.isFile() || (d.isSymbolicLink() && statSync(join(dir, rel)).isFile())) out.push(rel);
  }
  return out.sort();
}

/** Reads and validates `results/<name>/`. */
export function loadProfile(results: string, name: string): Profile {
  const dir = join(results, name);
  const shown = (rel: string) => join(dir, rel);
  const readJson = (rel: string): unknown => {
    const text = readFileSync(join(dir, rel), "utf8");
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new ResultsFileError(shown(rel), `Malformed results file ${shown(rel)}: ${(e as Error).message}`);
    }
  };
  const has = (rel: string) => existsSync(join(dir, rel));
  const load = <T extends z.ZodType>(schema: T, rel: string): z.output<T> | undefined =>
    has(rel) ? parseResults(schema, readJson(rel), shown(rel)) : undefined;

  if (!has("run.json")) throw new Error(`No run.json in ${dir}: not a results folder`);
  const run = load(RunJson, "run.json")!;
  const images = new Map<string, ImageSize>();
  /** Registers an image the pages show; `file` and `field` name what refers to it. */
  const image = (rel: string, file: string, field: string): ImageSize => {
    const known = images.get(rel);
    if (known) return known;
    if (!has(rel)) {
      throw new ResultsFileError(file, `${file}: ${field}: the image ${shown(rel)} does not exist`);
    }
    const size = pngSize(readFileSync(join(dir, rel)));
    if (!size) throw new ResultsFileError(shown(rel), `${shown(rel)} is not a PNG image`);
    images.set(rel, size);
    return size;
  };

  const table1 = load(Table1Json, "evaluate/table1.json");
  const evaluation = load(EvaluationJson, "evaluate/evaluation.json");

  const figures: Figure[] = [];
  let realism: RealismData | undefined;
  for (const [i, f] of (load(FiguresJson, "figures/figures.json") ?? []).entries()) {
    const fig: Figure = { ...f };
    if (f.files.png) {
      fig.png = image(`figures/${f.files.png}`, shown("figures/figures.json"), `[${i}].files.png`);
    }
    for (const kind of ["svg", "json"] as const) {
      const file = f.files[kind];
      if (file && !has(`figures/${file}`)) {
        throw new ResultsFileError(
          shown("figures/figures.json"),
          `${shown("figures/figures.json")}: [${i}].files.${kind}: ${
            shown(`figures/${file}`)
          } does not exist`,
        );
      }
    }
    if (f.files.json) {
      const rel = `figures/${f.files.json}`;
      const d = parseResults(FigureData, readJson(rel), shown(rel));
      fig.data = d.data;
      fig.jsonBytes = statSync(join(dir, rel)).size;
      if (f.name === "realism") realism = parseResults(RealismData, d.data, `${shown(rel)} (data)`);
    }
    figures.push(fig);
  }

  // The models come from the results themselves: the registry as evaluate published it, or else (results made
  // before it did) the training tasks of run.json.
  const registry = load(ModelsJson, "evaluate/models.json");
  const models = registry
    ? registry.models.map((m) => ({
      id: m.id,
      label: m.label,
      loss: m.loss ?? String(run.tasks.find((x) => x.name === m.train)?.params.loss ?? m.id),
      objective: m.objective,
      train: m.train,
    }))
    : run.tasks.filter((x) => x.name.startsWith("train_")).map((x) => {
      const id = x.name.slice("train_".length);
      return { id, label: id.toUpperCase(), loss: String(x.params.loss ?? id), objective: "", train: x.name };
    });
  const trainings: Training[] = [];
  for (const m of models) {
    const folder = m.train;
    const t: Training = {
      id: m.id,
      label: m.label,
      loss: m.loss,
      objective: m.objective,
      task: run.tasks.find((x) => x.name === folder),
      train: load(TrainJson, `${folder}/train.json`),
      curves: load(CurvesJson, `${folder}/curves.json`),
      samples: [],
    };
    if (has(`${folder}/samples`)) {
      const names = readdirSync(join(dir, folder, "samples")).filter((n) => n.endsWith(".png"));
      for (const n of names) {
        const m = /^step_(\d+)\.png$/.exec(n);
        if (!m && n !== "final.png") continue;
        const file = `${folder}/samples/${n}`;
        t.samples.push({ file, step: m ? Number(m[1]) : null, size: image(file, shown(file), "file") });
      }
      t.samples.sort((a, b) => (a.step ?? Infinity) - (b.step ?? Infinity));
    }
    if (t.task || t.train || t.curves || t.samples.length) trainings.push(t);
  }

  const gallery = load(GalleryJson, "gallery/gallery.json");
  if (gallery) {
    const where = shown("gallery/gallery.json");
    gallery.moas.forEach((m, i) => m.image && image(`gallery/${m.image}`, where, `moas[${i}].image`));
    gallery.treatments.forEach((t, i) =>
      t.image && image(`gallery/${t.image}`, where, `treatments[${i}].image`)
    );
  }
  const phenotypes = load(PhenotypesJson, "synthesize/phenotypes.json");
  const doseResponse = load(DoseResponseJson, "dose_response/dose_response.json");

  return {
    name,
    dir,
    run,
    table1,
    evaluation,
    figures,
    models,
    realism,
    trainings,
    gallery,
    phenotypes,
    doseResponse,
    images,
    files: listFiles(dir),
  };
}
