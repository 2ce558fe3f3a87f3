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
import { MOA_COMPOUNDS, MOAS, phenotypeTable, treatmentEffect } from "./phenotypes.ts";
import { type BatchEffect, makeBatchEffect, plateEffect, type RenderedField, renderField } from "./render.ts";
import { encodeTiff } from "./tiff.ts";
import { writeFileAtomic } from "./atomic_write.ts";
import { Rng, seedFrom } from "./rng.ts";
import type { SyntheticOptions } from "./synthetic_options.ts";

export { resolveSyntheticOptions, SYNTHETIC_DEFAULTS, SYNTHETIC_PRESETS } from "./synthetic_options.ts";
export type { SyntheticOptions } from "./synthetic_options.ts";

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
  /** Fields rendered in parallel by this many Web Workers (default 1: in this thread). */
  jobs?: number;
  /** Stops the generation (the promise rejects; files already renamed into place stay). */
  signal?: AbortSignal;
}

function formatConc(c: number): string {
  return c.toFixed(6);
}

/**
 * Renders field `index` of a plan and writes its three channel TIFFs (and masks) under `outDir`. Returns the
 * number of cells rendered. Pure given the plan, so fields can be written in any order, by any worker.
 */
export async function writeSyntheticField(
  outDir: string,
  plan: SyntheticPlan,
  index: number,
): Promise<number> {
  const o = plan.options;
  const f = plan.fields[index];
  const dir = join(outDir, f.batch, f.plate);
  const r = renderSyntheticField(plan, f);
  for (let c = 0; c < 3; c++) {
    await writeFileAtomic(
      join(dir, f.files[c]),
      encodeTiff({ width: r.width, height: r.height, data: r.channels[c] }, { compression: o.compression }),
    );
  }
  if (o.masks) {
    const m = syntheticMaskPaths(outDir, f);
    await writeFileAtomic(
      m.cells,
      encodeTiff({ width: r.width, height: r.height, data: r.cells }, { compression: "deflate" }),
    );
    await writeFileAtomic(
      m.nuclei,
      encodeTiff({ width: r.width, height: r.height, data: r.nuclei }, { compression: "deflate" }),
    );
  }
  return r.cellCount;
}

/** How long stopped workers may take to finish their current field before they are terminated. */
const STOP_TIMEOUT_MS = 30_000;

/** Writes every field of a plan, in this thread or in `jobs` workers; returns cells per field. */
async function writeAllFields(
  outDir: string,
  plan: SyntheticPlan,
  run: SynthesizeRunOptions,
): Promise<number[]> {
  const n = plan.fields.length;
  const cells = new Array<number>(n).fill(0);
  const jobs = Math.max(1, Math.min(run.jobs ?? 1, n));
  let done = 0;
  if (jobs === 1) {
    for (let i = 0; i < n; i++) {
      run.signal?.throwIfAborted();
      cells[i] = await writeSyntheticField(outDir, plan, i);
      run.onProgress?.(++done, n);
    }
    return cells;
  }
  // On abort or a failure, every worker is asked to stop after its current field and the promise settles
  // only when all have stopped: no file is written after it rejects (terminated after STOP_TIMEOUT_MS).
  const workers: Worker[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort = () => {};
  try {
    await new Promise<void>((resolve, reject) => {
      let settled = 0;
      let failure: unknown = null;
      const settle = () => {
        if (++settled < jobs) return;
        if (failure) reject(failure);
        else resolve();
      };
      const stopAll = (why: unknown) => {
        if (failure) return;
        failure = why;
        for (const w of workers) w.postMessage({ stop: true });
        timer = setTimeout(() => reject(failure), STOP_TIMEOUT_MS);
      };
      onAbort = () => stopAll(run.signal?.reason ?? new Error("cancelled"));
      run.signal?.addEventListener("abort", onAbort, { once: true });
      for (let w = 0; w < jobs; w++) {
        const worker = new Worker(new URL("./synthetic_worker.ts", import.meta.url), { type: "module" });
        workers.push(worker);
        worker.onmessage = (e: MessageEvent) => {
          const msg = e.data as {
            index?: number;
            cells?: number;
            error?: string;
            done?: boolean;
            stopped?: boolean;
          };
          if (msg.error) {
            stopAll(new Error(msg.error));
            settle();
          } else if (msg.done || msg.stopped) settle();
          else {
            cells[msg.index!] = msg.cells!;
            run.onProgress?.(++done, n);
          }
        };
        worker.onerror = (e) => {
          e.preventDefault();
          stopAll(new Error(`synthetic worker failed: ${e.message}`));
          settle();
        };
        const indices = Array.from({ length: n }, (_, i) => i).filter((i) => i % jobs === w);
        worker.postMessage({ outDir, options: plan.options, indices });
      }
      if (run.signal?.aborted) onAbort();
    });
  } finally {
    clearTimeout(timer);
    run.signal?.removeEventListener("abort", onAbort);
    for (const w of workers) w.terminate();
  }
  return cells;
}

/**
 * Generates a synthetic BBBC021-format dataset into `outDir` (created if needed).
 * Files are written under temporary names and renamed, so an interrupted run
 * never leaves a truncated file under a final name; `synthetic.json` is written
 * last and marks a complete dataset. The output depends only on the options (not on `jobs`).
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
  const cellsPerField = await writeAllFields(outDir, plan, run);
  const rows: (string | number)[][] = [];
  const table = new Map<string, number>();
  plan.fields.forEach((f, i) => {
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
  });
  await writeFileAtomic(
    join(outDir, "BBBC021_v1_image.csv"),
    new TextEncoder().encode(formatCsv(["TableNumber", "ImageNumber", ...IMAGE_COLUMNS], rows)),
  );
  const moaText = '"compound",concentration,"moa"\n' +
    plan.moaRows.map((r) => `"${r.compound}",${formatConc(r.concentration)},"${r.moa}"`).join("\n") + "\n";
  await writeFileAtomic(join(outDir, "BBBC021_v1_moa.csv"), new TextEncoder().encode(moaText));
  const counts = {
    fields: plan.fields.length,
    plates: new Set(plan.fields.map((f) => f.plate)).size,
    batches: new Set(plan.fields.map((f) => f.batch)).size,
    cells: cellsPerField.reduce((a, b) => a + b, 0),
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
  await writeFileAtomic(
    join(outDir, "synthetic.json"),
    new TextEncoder().encode(
      JSON.stringify(
        { generator: "morphogan synthetic BBBC021 v1", options: o, summary: counts, effects },
        null,
        2,
      ) +
        "\n",
    ),
  );
  await writeFileAtomic(
    join(outDir, "phenotypes.json"),
    new TextEncoder().encode(JSON.stringify(phenotypeTable(), null, 2) + "\n"),
  );
  return { ...counts, seconds: (performance.now() - t0) / 1000 };
}
