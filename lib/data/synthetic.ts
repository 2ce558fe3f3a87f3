/**
 * Synthetic BBBC021: a generator that writes a complete dataset in the real
 * BBBC021 file format, so that the same reading code serves real and synthetic
 * data:
 *
 * ```
 * <out>/BBBC021_v1_image.csv        the real columns (see bbbc021.ts)
 * <out>/BBBC021_v1_moa.csv          compound, concentration, moa (quoted as in the real file)
 * <out>/WeekN/<plate>/<well>_s<site>_w1<id>.tif   DNA (16-bit; w2 tubulin, w4 actin)
 * <out>/masks/WeekN/<plate>/<well>_s<site>_cells.tif    cell labels (16-bit, 0 = background)
 * <out>/masks/WeekN/<plate>/<well>_s<site>_nuclei.tif   nucleus labels (same id as the cell)
 * <out>/synthetic.json              options, counts and each treatment's effect strength
 * ```
 *
 * Treatments are the real MOA-annotated BBBC021 compounds at their annotated
 * concentrations plus DMSO (and optionally taxol as a per-plate control and
 * unannotated filler compounds). Each compound's wells lie in one batch (week),
 * chosen so that compounds of one MOA tend to share a week (as in BBBC021, where
 * this makes NSCB harder than NSC). Phenotypes: see phenotypes.ts; rendering and
 * acquisition effects: see render.ts. Deterministic for a seed.
 *
 * @module
 */

import { join } from "node:path";
import { formatCsv } from "./csv.ts";
import { DMSO, IMAGE_COLUMNS } from "./bbbc021.ts";
import { MOA_COMPOUNDS, MOAS, treatmentEffect } from "./phenotypes.ts";
import { type BatchEffect, makeBatchEffect, plateEffect, type RenderedField, renderField } from "./render.ts";
import { encodeTiff } from "./tiff.ts";
import { Rng, seedFrom } from "./rng.ts";

/** Options of the synthetic generator. */
export interface SyntheticOptions {
  /** Seed; the same options give byte-identical output. */
  seed: number;
  /** Field width in pixels (BBBC021: 1280). */
  width: number;
  /** Field height in pixels (BBBC021: 1024). */
  height: number;
  /** Number of plates. */
  plates: number;
  /** Number of batches (weeks); plates are split among them. */
  batches: number;
  /** Plates per batch (overrides the even split; must sum to `plates`), or null. */
  platesPerBatch: readonly number[] | null;
  /** Wells per plate available (at most 96; B02–G11 first, as in BBBC021). */
  wellsPerPlate: number;
  /** Fields (sites) per well. */
  sitesPerWell: number;
  /** DMSO wells per plate. */
  dmsoWellsPerPlate: number;
  /** Wells per compound-concentration (on different plates of its batch where possible). */
  replicates: number;
  /** How many compounds of each MOA to use (null = all). */
  compoundsPerMoa: number | null;
  /** How many concentrations per compound, highest first (null = all annotated). */
  concentrationsPerCompound: number | null;
  /** Add a taxol 0.3 µM control well on every plate (as in BBBC021). */
  taxolControl: boolean;
  /** Fill the remaining wells with unannotated compounds (not in the MOA table). */
  fillUnannotated: boolean;
  /** Relative cell density (1 ≈ 90 DMSO cells per 512×512 field). */
  cellDensity: number;
  /** Pixel scale (1 = BBBC021's 20×; 0.5 = half-size cells). */
  pixelScale: number;
  /** Global multiplier on MOA phenotype shifts (lower = harder). */
  effectScale: number;
  /** Log-sd of compound-specific weights within an MOA. */
  compoundVariation: number;
  /** Base fraction of non-responding cells at high dose. */
  nonResponders: number;
  /** Strength of batch (week) effects: 0 = none, 1 = default. */
  batchEffects: number;
  /** Probability that a compound is placed in its MOA's home week (else a random week). */
  moaBatchConfounding: number;
  /** Write ground-truth label masks. */
  masks: boolean;
  /** TIFF compression of the images (`none` as BBBC021, or `deflate`). */
  compression: "none" | "deflate";
}

/** Defaults: the embedded default dataset (all 103 treatments, 512×512 fields). */
export const SYNTHETIC_DEFAULTS: Readonly<SyntheticOptions> = {
  seed: 2017,
  width: 512,
  height: 512,
  plates: 10,
  batches: 10,
  platesPerBatch: null,
  wellsPerPlate: 60,
  sitesPerWell: 1,
  dmsoWellsPerPlate: 4,
  replicates: 3,
  compoundsPerMoa: null,
  concentrationsPerCompound: null,
  taxolControl: false,
  fillUnannotated: false,
  cellDensity: 1,
  pixelScale: 1,
  effectScale: 1,
  compoundVariation: 0.3,
  nonResponders: 0.12,
  batchEffects: 1,
  moaBatchConfounding: 0.6,
  masks: true,
  compression: "none",
};

/** Named sizes, from a 16-field test set to the full BBBC021 layout (13,200 fields of 1280×1024). */
export const SYNTHETIC_PRESETS: Readonly<
  Record<"tiny" | "small" | "default" | "full", Partial<SyntheticOptions>>
> = {
  tiny: {
    width: 256,
    height: 256,
    plates: 2,
    batches: 2,
    wellsPerPlate: 8,
    dmsoWellsPerPlate: 2,
    replicates: 1,
    compoundsPerMoa: 1,
    concentrationsPerCompound: 1,
  },
  small: {
    plates: 4,
    batches: 2,
    replicates: 1,
    compoundsPerMoa: 2,
    concentrationsPerCompound: 2,
    wellsPerPlate: 24,
  },
  default: {},
  full: {
    width: 1280,
    height: 1024,
    plates: 55,
    batches: 10,
    platesPerBatch: [6, 6, 6, 6, 6, 6, 5, 5, 6, 3],
    wellsPerPlate: 60,
    sitesPerWell: 4,
    dmsoWellsPerPlate: 6,
    taxolControl: true,
    fillUnannotated: true,
  },
};

/**
 * Merges a preset name and overrides onto the defaults and validates the result.
 *
 * @throws Error naming an unknown key, a value of the wrong type or out of range.
 */
export function resolveSyntheticOptions(
  overrides: Record<string, unknown> = {},
  preset: keyof typeof SYNTHETIC_PRESETS = "default",
): SyntheticOptions {
  if (!(preset in SYNTHETIC_PRESETS)) {
    throw new Error(
      `Unknown synthetic preset '${preset}': expected one of ${Object.keys(SYNTHETIC_PRESETS).join(", ")}`,
    );
  }
  for (const k of Object.keys(overrides)) {
    if (!(k in SYNTHETIC_DEFAULTS)) {
      throw new Error(
        `Unknown synthetic option '${k}': expected one of ${Object.keys(SYNTHETIC_DEFAULTS).join(", ")}`,
      );
    }
  }
  const o = { ...SYNTHETIC_DEFAULTS, ...SYNTHETIC_PRESETS[preset], ...overrides } as SyntheticOptions;
  const int = (k: keyof SyntheticOptions, lo: number, hi: number) => {
    const v = o[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) {
      throw new Error(
        `Invalid synthetic option ${k}: expected an integer in [${lo}, ${hi}], found ${JSON.stringify(v)}`,
      );
    }
  };
  const num = (k: keyof SyntheticOptions, lo: number, hi: number) => {
    const v = o[k];
    if (typeof v !== "number" || !Number.isFinite(v) || v < lo || v > hi) {
      throw new Error(
        `Invalid synthetic option ${k}: expected a number in [${lo}, ${hi}], found ${JSON.stringify(v)}`,
      );
    }
  };
  const bool = (k: keyof SyntheticOptions) => {
    if (typeof o[k] !== "boolean") {
      throw new Error(`Invalid synthetic option ${k}: expected true or false, found ${JSON.stringify(o[k])}`);
    }
  };
  int("seed", 0, 2 ** 32 - 1);
  int("width", 32, 8192);
  int("height", 32, 8192);
  int("plates", 1, 1000);
  int("batches", 1, 99);
  int("wellsPerPlate", 1, 96);
  int("sitesPerWell", 1, 16);
  int("dmsoWellsPerPlate", 0, 96);
  int("replicates", 1, 20);
  num("cellDensity", 0.05, 5);
  num("pixelScale", 0.25, 4);
  num("effectScale", 0, 5);
  num("compoundVariation", 0, 2);
  num("nonResponders", 0, 1);
  num("batchEffects", 0, 5);
  num("moaBatchConfounding", 0, 1);
  for (const k of ["taxolControl", "fillUnannotated", "masks"] as const) bool(k);
  if (o.compoundsPerMoa !== null) int("compoundsPerMoa", 1, 10);
  if (o.concentrationsPerCompound !== null) int("concentrationsPerCompound", 1, 10);
  if (o.compression !== "none" && o.compression !== "deflate") {
    throw new Error(
      `Invalid synthetic option compression: expected "none" or "deflate", found ${
        JSON.stringify(o.compression)
      }`,
    );
  }
  if (o.batches > o.plates) {
    throw new Error(`Invalid synthetic options: expected batches ≤ plates, found ${o.batches} > ${o.plates}`);
  }
  if (o.platesPerBatch !== null) {
    const p = o.platesPerBatch;
    if (!Array.isArray(p) || p.length !== o.batches || p.some((x) => !Number.isInteger(x) || x < 1)) {
      throw new Error(
        `Invalid synthetic option platesPerBatch: expected ${o.batches} positive integers, found ${
          JSON.stringify(p)
        }`,
      );
    }
    const sum = p.reduce((a, b) => a + b, 0);
    if (sum !== o.plates) {
      throw new Error(
        `Invalid synthetic option platesPerBatch: expected a sum of ${o.plates} plates, found ${sum}`,
      );
    }
  }
  return o;
}

/** One field to generate, in BBBC021 terms. */
export interface SyntheticField {
  /** Batch, e.g. `Week1`. */
  batch: string;
  /** Plate, e.g. `Week1_90101`. */
  plate: string;
  /** Well, e.g. `B02`. */
  well: string;
  /** Site, 1-based. */
  site: number;
  /** Compound. */
  compound: string;
  /** Concentration (µM). */
  concentration: number;
  /** MOA, `DMSO`, or null for an unannotated compound. */
  moa: string | null;
  /** Replicate number (1-based) of this compound-concentration. */
  replicate: number;
  /** File names of the DNA, tubulin and actin TIFFs (in `batch/plate/`). */
  files: [string, string, string];
}

/** The plan of a synthetic dataset: all fields, and the batch effects of each plate. */
export interface SyntheticPlan {
  /** Resolved options. */
  options: SyntheticOptions;
  /** Fields in image-table order. */
  fields: SyntheticField[];
  /** Acquisition effects per plate. */
  plateEffects: Map<string, BatchEffect>;
  /** MOA-table rows (compound, concentration, moa) of the treatments used, plus DMSO. */
  moaRows: { compound: string; concentration: number; moa: string }[];
}

/** Wells in BBBC021 order: rows B–G × columns 02–11 first, then the plate's outer wells. */
export function wellOrder(): string[] {
  const inner: string[] = [], outer: string[] = [];
  for (const r of "ABCDEFGH") {
    for (let c = 1; c <= 12; c++) {
      const w = `${r}${String(c).padStart(2, "0")}`;
      if ("BCDEFG".includes(r) && c >= 2 && c <= 11) inner.push(w);
      else outer.push(w);
    }
  }
  return [...inner, ...outer];
}

function uuidLike(seed: number, ...parts: (string | number)[]): string {
  const h = [0, 1, 2, 3].map((i) => seedFrom(seed, ...parts, i).toString(16).padStart(8, "0").toUpperCase())
    .join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * Lays out plates, wells and fields for the options (no pixels).
 *
 * @throws Error when a batch's treatments do not fit in its plates' wells,
 * with the numbers and what to change.
 */
export function planSyntheticDataset(options: SyntheticOptions): SyntheticPlan {
  const o = options;
  const rng = new Rng(seedFrom(o.seed, "plan"));
  // Treatments.
  type T = { compound: string; concentration: number; moa: string | null };
  const byCompound: { compound: string; moa: string | null; concs: number[] }[] = [];
  for (const moa of MOAS) {
    const comps = MOA_COMPOUNDS.filter((c) => c.moa === moa);
    const chosen = o.compoundsPerMoa === null ? comps : rng.shuffle([...comps]).slice(0, o.compoundsPerMoa);
    for (const c of chosen) {
      const concs = [...c.concentrations].sort((a, b) => b - a);
      byCompound.push({
        compound: c.compound,
        moa,
        concs: o.concentrationsPerCompound === null ? concs : concs.slice(0, o.concentrationsPerCompound),
      });
    }
  }
  // Plates per batch.
  const perBatch = o.platesPerBatch ? [...o.platesPerBatch] : Array.from(
    { length: o.batches },
    (_, b) => Math.floor(o.plates / o.batches) + (b < o.plates % o.batches ? 1 : 0),
  );
  const plates: { batch: string; plate: string; b: number }[] = [];
  perBatch.forEach((n, b) => {
    for (let k = 0; k < n; k++) {
      plates.push({ batch: `Week${b + 1}`, plate: `Week${b + 1}_${90001 + b * 100 + k}`, b });
    }
  });
  const wellsFree = perBatch.map((n) =>
    n * (o.wellsPerPlate - o.dmsoWellsPerPlate - (o.taxolControl ? 1 : 0))
  );
  if (wellsFree.some((w) => w < 0)) {
    throw new Error(
      `Invalid synthetic options: ${o.wellsPerPlate} wells per plate cannot hold ${o.dmsoWellsPerPlate} DMSO wells${
        o.taxolControl ? " and a taxol control" : ""
      }`,
    );
  }
  // Assign compounds to batches: an MOA's compounds tend to share a home week.
  const home = new Map<string, number>();
  for (const moa of rng.shuffle([...MOAS])) home.set(moa, rng.int(o.batches));
  const compoundBatch = new Map<string, number>();
  for (const c of rng.shuffle([...byCompound])) {
    const need = c.concs.length * o.replicates;
    let b = rng.chance(o.moaBatchConfounding) ? home.get(c.moa!)! : rng.int(o.batches);
    if (wellsFree[b] < need) b = wellsFree.indexOf(Math.max(...wellsFree));
    if (wellsFree[b] < need) {
      const total = byCompound.reduce((s, x) => s + x.concs.length * o.replicates, 0);
      throw new Error(
        `Invalid synthetic options: ${total} treatment wells do not fit in ${o.plates} plates of ${o.wellsPerPlate} wells ` +
          `(${o.dmsoWellsPerPlate} DMSO each); use more plates or wellsPerPlate, or fewer compoundsPerMoa, concentrationsPerCompound or replicates`,
      );
    }
    wellsFree[b] -= need;
    compoundBatch.set(c.compound, b);
  }
  // Fill plates.
  const order = wellOrder();
  const platesOf = (b: number) => plates.filter((p) => p.b === b);
  const contents = new Map<string, (T & { replicate: number })[]>(plates.map((p) => [p.plate, []]));
  for (const p of plates) {
    const list = contents.get(p.plate)!;
    for (let i = 0; i < o.dmsoWellsPerPlate; i++) {
      list.push({ compound: DMSO, concentration: 0, moa: DMSO, replicate: 1 });
    }
    if (o.taxolControl) {
      list.push({ compound: "taxol", concentration: 0.3, moa: "Microtubule stabilizers", replicate: 1 });
    }
  }
  for (const c of byCompound) {
    const ps = platesOf(compoundBatch.get(c.compound)!);
    const start = rng.int(ps.length);
    for (const conc of c.concs) {
      for (let r = 0; r < o.replicates; r++) {
        // Replicate r on its own plate of the batch where possible (the next one with a free well).
        const cand = [...ps.keys()].map((k) => ps[(start + r + k) % ps.length]);
        const plate = cand.find((p) => contents.get(p.plate)!.length < o.wellsPerPlate)!;
        contents.get(plate.plate)!.push({
          compound: c.compound,
          concentration: conc,
          moa: c.moa,
          replicate: r + 1,
        });
      }
    }
  }
  let filler = 0;
  if (o.fillUnannotated) {
    for (const p of plates) {
      const list = contents.get(p.plate)!;
      while (list.length < o.wellsPerPlate) {
        const k = filler++;
        list.push({
          compound: `unannotated-${String(Math.floor(k / 3) + 1).padStart(3, "0")}`,
          concentration: [0.1, 1, 10][k % 3],
          moa: null,
          replicate: 1,
        });
      }
    }
  }
  // Fields.
  const fields: SyntheticField[] = [];
  const plateEffects = new Map<string, BatchEffect>();
  const batchEffects = perBatch.map((_, b) =>
    makeBatchEffect(new Rng(seedFrom(o.seed, "batch", b)), o.batchEffects)
  );
  for (const p of plates) {
    plateEffects.set(
      p.plate,
      plateEffect(batchEffects[p.b], new Rng(seedFrom(o.seed, "plate", p.plate)), o.batchEffects),
    );
    const list = rng.shuffle(contents.get(p.plate)!);
    list.forEach((t, i) => {
      const well = order[i];
      for (let site = 1; site <= o.sitesPerWell; site++) {
        const files = [1, 2, 4].map((w) =>
          `${well}_s${site}_w${w}${uuidLike(o.seed, p.plate, well, site, w)}.tif`
        ) as [
          string,
          string,
          string,
        ];
        fields.push({ batch: p.batch, plate: p.plate, well, site, ...t, files });
      }
    });
  }
  const plateIndex = new Map(plates.map((p, i) => [p.plate, i]));
  fields.sort((a, b) =>
    plateIndex.get(a.plate)! - plateIndex.get(b.plate)! ||
    (a.well < b.well ? -1 : a.well > b.well ? 1 : a.site - b.site)
  );
  const moaRows = [
    ...byCompound.flatMap((c) =>
      c.concs.map((conc) => ({ compound: c.compound, concentration: conc, moa: c.moa! }))
    ),
    { compound: DMSO, concentration: 0, moa: DMSO },
  ];
  if (o.taxolControl && !moaRows.some((r) => r.compound === "taxol" && r.concentration === 0.3)) {
    moaRows.push({ compound: "taxol", concentration: 0.3, moa: "Microtubule stabilizers" });
  }
  return { options: o, fields, plateEffects, moaRows };
}

/** Renders one planned field (pure; fields can be rendered in any order or in parallel). */
export function renderSyntheticField(plan: SyntheticPlan, field: SyntheticField): RenderedField {
  const o = plan.options;
  return renderField({
    width: o.width,
    height: o.height,
    seed: seedFrom(o.seed, "field", field.plate, field.well, field.site),
    effect: treatmentEffect(o.seed, field.compound, field.concentration, {
      effectScale: o.effectScale,
      compoundVariation: o.compoundVariation,
      nonResponders: o.nonResponders,
    }),
    batch: plan.plateEffects.get(field.plate)!,
    pixelScale: o.pixelScale,
    density: o.cellDensity,
  });
}

/** Where the ground-truth masks of a field lie: `masks/<batch>/<plate>/<well>_s<site>_{cells,nuclei}.tif`. */
export function syntheticMaskPaths(
  root: string,
  field: { batch: string; plate: string; well: string; site: number },
): { cells: string; nuclei: string } {
  const base = join(root, "masks", field.batch, field.plate, `${field.well}_s${field.site}`);
  return { cells: `${base}_cells.tif`, nuclei: `${base}_nuclei.tif` };
}

/** What {@linkcode synthesizeBbbc021} wrote. */
export interface SyntheticSummary {
  /** Fields written. */
  fields: number;
  /** Plates. */
  plates: number;
  /** Batches. */
  batches: number;
  /** Cells rendered in all fields. */
  cells: number;
  /** Seconds spent. */
  seconds: number;
}

/** Options for {@linkcode synthesizeBbbc021} besides the dataset options. */
export interface SynthesizeRunOptions {
  /** Called after each field with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

function formatConc(c: number): string {
  return c.toFixed(6);
}

/**
 * Generates a synthetic BBBC021-format dataset into `outDir` (created if needed).
 * Files are written under temporary names and renamed, so an interrupted run
 * never leaves a truncated file under a final name; `synthetic.json` is written
 * last and marks a complete dataset.
 *
 * @example
 * ```ts
 * await synthesizeBbbc021("cache/synthetic", resolveSyntheticOptions({ seed: 1 }, "tiny"));
 * const meta = await readBbbc021Metadata("cache/synthetic"); // 16 fields
 * ```
 */
export async function synthesizeBbbc021(
  outDir: string,
  options: SyntheticOptions,
  run: SynthesizeRunOptions = {},
): Promise<SyntheticSummary> {
  const t0 = performance.now();
  const plan = planSyntheticDataset(options);
  const o = plan.options;
  await Deno.mkdir(outDir, { recursive: true });
  const write = async (path: string, data: Uint8Array) => {
    await Deno.writeFile(path + ".part", data);
    await Deno.rename(path + ".part", path);
  };
  const made = new Set<string>();
  let cells = 0;
  const rows: (string | number)[][] = [];
  const table = new Map<string, number>();
  for (let i = 0; i < plan.fields.length; i++) {
    const f = plan.fields[i];
    const dir = join(outDir, f.batch, f.plate);
    if (!made.has(dir)) {
      await Deno.mkdir(dir, { recursive: true });
      if (o.masks) await Deno.mkdir(join(outDir, "masks", f.batch, f.plate), { recursive: true });
      made.add(dir);
    }
    const r = renderSyntheticField(plan, f);
    cells += r.cellCount;
    for (let c = 0; c < 3; c++) {
      await write(
        join(dir, f.files[c]),
        encodeTiff({ width: r.width, height: r.height, data: r.channels[c] }, { compression: o.compression }),
      );
    }
    if (o.masks) {
      const m = syntheticMaskPaths(outDir, f);
      await write(
        m.cells,
        encodeTiff({ width: r.width, height: r.height, data: r.cells }, { compression: "deflate" }),
      );
      await write(
        m.nuclei,
        encodeTiff({ width: r.width, height: r.height, data: r.nuclei }, { compression: "deflate" }),
      );
    }
    const tn = table.get(f.batch) ?? table.size + 1;
    table.set(f.batch, tn);
    const path = `${f.batch}/${f.plate}`;
    rows.push([
      tn,
      i + 1,
      f.files[0],
      path,
      f.files[1],
      path,
      f.files[2],
      path,
      f.plate,
      f.well,
      f.replicate,
      f.compound,
      f.concentration,
    ]);
    run.onProgress?.(i + 1, plan.fields.length);
  }
  await write(
    join(outDir, "BBBC021_v1_image.csv"),
    new TextEncoder().encode(formatCsv(["TableNumber", "ImageNumber", ...IMAGE_COLUMNS], rows)),
  );
  const moaText = '"compound",concentration,"moa"\n' +
    plan.moaRows.map((r) => `"${r.compound}",${formatConc(r.concentration)},"${r.moa}"`).join("\n") + "\n";
  await write(join(outDir, "BBBC021_v1_moa.csv"), new TextEncoder().encode(moaText));
  const summary: SyntheticSummary = {
    fields: plan.fields.length,
    plates: new Set(plan.fields.map((f) => f.plate)).size,
    batches: new Set(plan.fields.map((f) => f.batch)).size,
    cells,
    seconds: (performance.now() - t0) / 1000,
  };
  const effects = Object.fromEntries(
    plan.moaRows.filter((r) => r.compound !== DMSO).map((r) => {
      const e = treatmentEffect(o.seed, r.compound, r.concentration, {
        effectScale: o.effectScale,
        compoundVariation: o.compoundVariation,
        nonResponders: o.nonResponders,
      });
      return [`${r.compound}@${r.concentration}`, { strength: e.strength, nonResponders: e.nonResponders }];
    }),
  );
  await write(
    join(outDir, "synthetic.json"),
    new TextEncoder().encode(
      JSON.stringify({ generator: "morphogan synthetic BBBC021 v1", options: o, summary, effects }, null, 2) +
        "\n",
    ),
  );
  return summary;
}
