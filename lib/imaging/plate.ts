/**
 * Dataset driver: segments a BBBC021-format dataset (real or synthetic) into crop shards, a cell table
 * and a per-field report, plate by plate, in parallel over fields with Web Workers.
 *
 * Per plate: (1) when `illumination` is on, every field is read and summed (in the workers) and the
 * plate's illumination functions are computed (illumination.ts) — unless the plate has fewer than
 * `minIlluminationFields` complete fields (default 5; Singh et al. average every image of a plate, 240 in
 * BBBC021): the mean of so few fields shows where the cells are, not the illumination, and dividing by it
 * would dim the dense regions (the 2 real fields of Week2_24381 gave a "function" reaching 3.7 in tubulin
 * and actin), so such a plate is left uncorrected (`illuminationFields: 0` in `plates.json`); (2) the fields
 * are segmented (in the workers, {@linkcode segmentFieldsJob}), each writing its shard
 * `shards/<plate>/<well>_s<site>.crops` (uint16, raw or illumination-corrected); (3) with a normalisation other than `"none"` the plate's
 * shards are rewritten as float32 in [−1, 1] (normalize.ts; the per-plate percentiles come from the
 * cell-pixel histograms the workers return). A field that cannot be read, is blank or saturated, or has no
 * cell is recorded in `report.json` and skipped, never fatal.
 *
 * The image folder may hold only part of the image table (some plates, some fields): a census
 * (lib/data/field_census.ts) first sorts the fields by which of their files exist. Fields with none of their
 * files are *absent*: not attempted, only counted (`summary.absent`, per plate in `plates.json`). A field with
 * some but not all of its channel files is reported as `missing-file`, naming the missing files, and skipped;
 * the illumination functions are computed from the complete fields only.
 *
 * Output directory:
 *
 * ```
 * shards/<plate>/<well>_s<site>.crops   crops of one field (format: shards.ts)
 * cells.csv                             one row per crop (columns: CELL_COLUMNS in shards.ts)
 * report.json                           {summary, fields: FieldReport[]} — every field, with its status (no timings)
 * plates.json                           per plate: fields, absent, illumination (fields averaged, range of the
 *                                       function), scaling
 * ```
 *
 * All files are written atomically; `report.json` is written last and marks a complete run.
 *
 * @module
 */

import { join } from "node:path";
import { type Bbbc021Field, DMSO, IMAGE_CSV, readBbbc021Metadata } from "../data/bbbc021.ts";
import { loadField } from "../data/field.ts";
import { censusFields, type IncompleteField, missingFilesMessage } from "../data/field_census.ts";
import { IlluminationAccumulator, illuminationFunction, type IlluminationOptions } from "./illumination.ts";
import {
  IntensityHistogram,
  type Normalization,
  NORMALIZATIONS,
  normalizeCropMax,
  normalizePlatePercentile,
  type PlateScaling,
  plateScaling,
} from "./normalize.ts";
import { resolveNucleiOptions } from "./nuclei.ts";
import { type FieldStatus, segmentField, type SegmentOptions } from "./segment.ts";
import { type CellRow, formatCellTable, readShard, writeFileAtomic, writeShard } from "./shards.ts";

/** What happened to one field. */
export interface FieldReport {
  /** Plate. */
  plate: string;
  /** Well. */
  well: string;
  /** Site. */
  site: number;
  /** Outcome. */
  status: FieldStatus;
  /** Why it was skipped ("" when ok). */
  message: string;
  /** Nuclei found. */
  nuclei: number;
  /** Crops written. */
  crops: number;
  /** Seconds spent on the field (read + segment + write). */
  seconds: number;
}

/** Options for {@linkcode segmentDataset}. */
export interface SegmentDatasetOptions extends Omit<SegmentOptions, "illumination"> {
  /** Illumination correction per plate and channel (default true). */
  illumination?: boolean;
  /** Options of the illumination function. */
  illuminationOptions?: IlluminationOptions;
  /** Fewest complete fields a plate needs for its illumination function (default 5); fewer: not corrected. */
  minIlluminationFields?: number;
  /** Normalisation of the written crops (default `"none"`: raw uint16). */
  normalization?: Normalization;
  /** Parallel workers (default 1: in this thread, no worker). */
  jobs?: number;
  /** Folder the image table's paths are relative to (default: `inputDir`, where the metadata is). */
  imageRoot?: string;
  /** Only these plates (default all). */
  plates?: readonly string[];
  /** Only the first `maxFields` fields of the image table whose files are present (after the plate filter). */
  maxFields?: number;
  /**
   * When none of the fields has a file: write an empty result (no cells) instead of failing. One shard of a
   * dataset (a plate absent from a partial copy) may be empty; the merge judges the whole.
   */
  allowNoFields?: boolean;
  /** Called once, after the census of the files and before any field is read. */
  onStart?: (plan: SegmentPlan) => void;
  /** Called after each field is segmented (or skipped). */
  onProgress?: (done: number, total: number, report: FieldReport) => void;
}

/** What {@linkcode segmentDataset} is about to do, passed to `onStart`. */
export interface SegmentPlan {
  /** Fields of the image table after the plate filter. */
  listed: number;
  /** Fields to process (those with at least one file, after `maxFields`), the incomplete ones included. */
  fields: number;
  /** Of those, fields missing a channel file (reported as `missing-file` and skipped). */
  incomplete: number;
  /** Fields of the image table (after the plate filter) with none of their files: not attempted. */
  absent: number;
  /** Plates with at least one field to process. */
  plates: number;
  /**
   * Plates left without illumination correction (it is on) because they have fewer than
   * `minIlluminationFields` complete fields, with that number.
   */
  uncorrected: { plate: string; fields: number }[];
  /** The `minIlluminationFields` in force. */
  minIlluminationFields: number;
  /** The folder the image table's paths are relative to. */
  imageRoot: string;
}

/** Per-plate record in `plates.json`. */
export interface PlateRecord {
  /** Fields of the plate processed (those with at least one file). */
  fields: number;
  /** Fields of the plate in the image table with none of their files (not attempted). */
  absent: number;
  /** Fields segmented successfully. */
  ok: number;
  /** Crops written. */
  crops: number;
  /** Illumination functions' max per channel (min is 1), or null when off. */
  illuminationMax: [number, number, number] | null;
  /** Fields averaged for the illumination functions (0 when off, or too few for a function). */
  illuminationFields: number;
  /** The plate-percentile scaling (also recorded when another normalisation is used). */
  scaling: PlateScaling | null;
}

/** What {@linkcode segmentDataset} returns and writes as `report.json`'s `summary`. */
export interface SegmentDatasetSummary {
  /** Fields processed (those with at least one of their files; skipped ones included). */
  fields: number;
  /** Fields of the image table (after the plate filter) with none of their files: not attempted. */
  absent: number;
  /** Count of fields per status. */
  statuses: Partial<Record<FieldStatus, number>>;
  /** Crops (cells) written. */
  crops: number;
  /** Plates. */
  plates: number;
  /** Wall-clock seconds. */
  seconds: number;
  /** Options that shape the output. */
  options: {
    cropSize: number;
    maskOutsideCell: boolean;
    illumination: boolean;
    minIlluminationFields: number;
    normalization: Normalization;
    diameter: number;
    /** The h of the nucleus split (see nuclei.ts), resolved. */
    splitDepth: number;
  };
}

/** A job for a worker: sum a plate's fields for the illumination function. */
export interface SumJob {
  /** Kind. */
  kind: "sum";
  /** Image root (the dataset folder). */
  inputDir: string;
  /** Fields (all of one plate). */
  fields: Bbbc021Field[];
}

/** A sum job's result. */
export interface SumResult {
  /** Per-channel sums (null when no field could be read). */
  sums: Float64Array[] | null;
  /** Fields summed. */
  count: number;
  /** Size of the fields. */
  width: number;
  /** Height. */
  height: number;
}

/** A job for a worker: segment fields and write their shards. */
export interface SegmentJob {
  /** Kind. */
  kind: "segment";
  /** Image root. */
  inputDir: string;
  /** Output directory. */
  outDir: string;
  /** Fields to process. */
  fields: Bbbc021Field[];
  /** Segmentation options (illumination functions included, for this plate). */
  options: SegmentOptions;
}

/** One field's result from {@linkcode segmentFieldsJob}. */
export interface FieldOutcome {
  /** The report. */
  report: FieldReport;
  /** Cell table rows of its crops. */
  rows: CellRow[];
  /** Cell-pixel histogram counts (`3 × 4096`) and bit depth. */
  histogram: { bitDepth: 8 | 16; counts: Float64Array } | null;
}

/** Shard path of a field relative to the output directory. */
export function shardPath(field: { plate: string; well: string; site: number }): string {
  return `shards/${field.plate}/${field.well}_s${field.site}.crops`;
}

/** Sums fields for the illumination function (worker-friendly; unreadable fields are left out). */
export async function sumFieldsJob(job: SumJob): Promise<SumResult> {
  let acc: IlluminationAccumulator | null = null;
  for (const f of job.fields) {
    let field;
    try {
      field = await loadField(job.inputDir, f);
    } catch {
      continue; // reported by the segmentation pass
    }
    if (acc && (acc.width !== field.width || acc.height !== field.height)) continue;
    acc ??= new IlluminationAccumulator(field.width, field.height);
    acc.add(field.channels);
  }
  return acc
    ? { sums: acc.sums, count: acc.count, width: acc.width, height: acc.height }
    : { sums: null, count: 0, width: 0, height: 0 };
}

/**
 * Segments fields and writes their shards (worker-friendly: plain data in and out). Never throws for a
 * field: a decode failure or an unexpected error becomes that field's report.
 */
export async function segmentFieldsJob(job: SegmentJob): Promise<FieldOutcome[]> {
  const out: FieldOutcome[] = [];
  for (const f of job.fields) {
    const t0 = performance.now();
    const base = { plate: f.plate, well: f.well, site: f.site };
    const done = (status: FieldStatus, message: string, nuclei = 0, crops = 0): FieldReport => ({
      ...base,
      status,
      message,
      nuclei,
      crops,
      seconds: (performance.now() - t0) / 1000,
    });
    let field;
    try {
      field = await loadField(job.inputDir, f);
    } catch (e) {
      out.push({ report: done("decode-error", (e as Error).message), rows: [], histogram: null });
      continue;
    }
    try {
      const il = job.options.illumination;
      const options = il && il[0].length !== field.width * field.height
        ? { ...job.options, illumination: null }
        : job.options;
      const r = segmentField(field, options);
      if (r.status !== "ok") {
        out.push({ report: done(r.status, r.message, r.nuclei.count), rows: [], histogram: null });
        continue;
      }
      const shard = shardPath(f);
      await writeShard(join(job.outDir, shard), {
        header: {
          dtype: "uint16",
          shape: [r.crops.count, r.crops.size, r.crops.size, 3],
          order: "NHWC",
          channels: ["DNA", "tubulin", "actin"],
          normalization: "none",
          plate: f.plate,
          well: f.well,
          site: f.site,
          bitDepth: field.bitDepth,
          illuminationCorrected: !!options.illumination,
          maskOutsideCell: options.maskOutsideCell ?? false,
        },
        data: r.crops.data,
      });
      const rows: CellRow[] = r.props.filter((p) => p.crop >= 0).map((p) => ({
        plate: f.plate,
        well: f.well,
        site: f.site,
        compound: f.compound,
        concentration: f.concentration,
        moa: f.moa,
        batch: f.batch,
        shard,
        index: p.crop,
        centroidX: p.centroidX,
        centroidY: p.centroidY,
        nucleusArea: p.nucleusArea,
        cellArea: p.cellArea,
        eccentricity: p.eccentricity,
        solidity: p.solidity,
      }));
      out.push({
        report: done("ok", "", r.nuclei.count, r.crops.count),
        rows,
        histogram: { bitDepth: r.histogram.bitDepth, counts: r.histogram.counts },
      });
    } catch (e) {
      out.push({ report: done("error", `${(e as Error).message}`), rows: [], histogram: null });
    }
  }
  return out;
}

/** A pool of module workers running {@linkcode sumFieldsJob} / {@linkcode segmentFieldsJob}. */
class WorkerPool {
  #workers: Worker[] = [];
  #idle: Worker[] = [];
  #waiting: (() => void)[] = [];
  #next = 0;

  constructor(jobs: number) {
    for (let k = 0; k < jobs; k++) {
      const w = new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" });
      this.#workers.push(w);
      this.#idle.push(w);
    }
  }

  async run<T>(job: SumJob | SegmentJob): Promise<T> {
    while (this.#idle.length === 0) await new Promise<void>((r) => this.#waiting.push(r));
    const w = this.#idle.pop()!;
    const id = this.#next++;
    try {
      return await new Promise<T>((resolve, reject) => {
        w.onmessage = (e: MessageEvent) => {
          if (e.data.id !== id) return;
          if (e.data.ok) resolve(e.data.result as T);
          else reject(new Error(`segmentation worker failed: ${e.data.error}`));
        };
        w.onerror = (e: ErrorEvent) => {
          e.preventDefault();
          reject(new Error(`segmentation worker crashed: ${e.message}`));
        };
        w.postMessage({ id, job });
      });
    } finally {
      this.#idle.push(w);
      this.#waiting.shift()?.();
    }
  }

  close(): void {
    for (const w of this.#workers) w.terminate();
  }
}

/** A field's identity within a dataset: plate, well and site. */
export const fieldKey = (f: { plate: string; well: string; site: number }): string =>
  `${f.plate}|${f.well}|${f.site}`;

function chunks<T>(items: readonly T[], parts: number): T[][] {
  const size = Math.max(1, Math.ceil(items.length / parts));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Segments a BBBC021-format dataset in `inputDir` (with `BBBC021_v1_image.csv`) into `outDir` (see the
 * module documentation for the layout). Returns the summary also written to `report.json`.
 *
 * @throws Error when the metadata cannot be read, `normalization` is unknown, or none of the fields listed has
 * a file under the image root (a wrong folder); field-level problems are reported, not thrown.
 */
export async function segmentDataset(
  inputDir: string,
  outDir: string,
  options: SegmentDatasetOptions = {},
): Promise<SegmentDatasetSummary> {
  const t0 = performance.now();
  const normalization = options.normalization ?? "none";
  if (!NORMALIZATIONS.includes(normalization)) {
    throw new Error(
      `segmentDataset: unknown normalization '${normalization}': expected ${NORMALIZATIONS.join(", ")}`,
    );
  }
  const illumination = options.illumination ?? true;
  const jobs = Math.max(1, Math.floor(options.jobs ?? 1));
  const meta = await readBbbc021Metadata(inputDir);
  let fields = meta.fields;
  if (options.plates) {
    const known = new Set(fields.map((f) => f.plate));
    const unknown = options.plates.filter((p) => !known.has(p));
    if (unknown.length) {
      throw new Error(
        `segmentDataset: plate${unknown.length > 1 ? "s" : ""} ${
          unknown.map((p) => `'${p}'`).join(", ")
        } not in '${join(inputDir, "BBBC021_v1_image.csv")}' (it has ${known.size} plates, e.g. '${
          [...known][0]
        }')`,
      );
    }
    fields = fields.filter((f) => options.plates!.includes(f.plate));
  }
  const imageRoot = options.imageRoot ?? inputDir;
  const census = await censusFields(imageRoot, fields);
  if (fields.length > 0 && census.absent.length === fields.length && !options.allowNoFields) {
    throw new Error(
      `segmentDataset: none of the ${fields.length} fields of '${
        join(inputDir, IMAGE_CSV)
      }' has a file under '${imageRoot}' (e.g. expected '${join(imageRoot, fields[0].files[0])}')`,
    );
  }
  const listed = fields.length;
  const absentKeys = new Set(census.absent.map(fieldKey));
  const incomplete = new Map<string, IncompleteField>(census.incomplete.map((e) => [fieldKey(e.field), e]));
  fields = fields.filter((f) => !absentKeys.has(fieldKey(f)));
  if (options.maxFields !== undefined) fields = fields.slice(0, options.maxFields);
  const plates = [...new Set(fields.map((f) => f.plate))];
  const minIllum = options.minIlluminationFields ?? 5;
  const completeOf = (plate: string) =>
    fields.filter((f) => f.plate === plate && !incomplete.has(fieldKey(f)));
  const uncorrected = illumination
    ? plates.map((plate) => ({ plate, fields: completeOf(plate).length })).filter((p) => p.fields < minIllum)
    : [];
  options.onStart?.({
    listed,
    fields: fields.length,
    incomplete: fields.filter((f) => incomplete.has(fieldKey(f))).length,
    absent: census.absent.length,
    plates: plates.length,
    uncorrected,
    minIlluminationFields: minIllum,
    imageRoot,
  });
  const segOptions: SegmentOptions = {
    diameter: options.diameter,
    nuclei: options.nuclei,
    cells: options.cells,
    cropSize: options.cropSize,
    maskOutsideCell: options.maskOutsideCell,
    blankRange: options.blankRange,
    maxSaturatedFraction: options.maxSaturatedFraction,
    solidity: options.solidity,
  };
  const pool = jobs > 1 ? new WorkerPool(jobs) : null;
  const run = <T>(job: SumJob | SegmentJob): Promise<T> =>
    pool ? pool.run<T>(job) : (job.kind === "sum" ? sumFieldsJob(job) : segmentFieldsJob(job)) as Promise<T>;
  const reports: FieldReport[] = [];
  const rows: CellRow[] = [];
  const plateRecords: Record<string, PlateRecord> = {};
  let done = 0;
  try {
    for (const plate of plates) {
      const pf = fields.filter((f) => f.plate === plate);
      const complete = completeOf(plate);
      const parts = pool ? jobs * 3 : 1;
      let illum: [Float32Array, Float32Array, Float32Array] | null = null;
      let illumFields = 0;
      if (illumination && complete.length >= Math.max(1, minIllum)) {
        const sums = await Promise.all(
          chunks(complete, parts).map((c) => run<SumResult>({ kind: "sum", inputDir: imageRoot, fields: c })),
        );
        const first = sums.find((s) => s.sums);
        if (first) {
          const acc = new IlluminationAccumulator(first.width, first.height);
          for (const s of sums) {
            if (s.sums && s.width === first.width && s.height === first.height) acc.merge(s.sums, s.count);
          }
          illumFields = acc.count;
          illum = [0, 1, 2].map((c) =>
            illuminationFunction(acc.mean(c), acc.width, acc.height, options.illuminationOptions)
          ) as [Float32Array, Float32Array, Float32Array];
        }
      }
      const all = new IntensityHistogram(16), dmso = new IntensityHistogram(16);
      let bitDepth: 8 | 16 | null = null;
      const plateRows: CellRow[] = [];
      let ok = 0;
      // With workers, all chunks are queued at once (the pool runs `jobs` at a time); without, one field at
      // a time in this thread, so that only one field is in memory.
      const segmentChunk = async (c: Bbbc021Field[]) => {
        const outcomes = await run<FieldOutcome[]>({
          kind: "segment",
          inputDir: imageRoot,
          outDir,
          fields: c,
          options: { ...segOptions, illumination: illum },
        });
        for (const [k, o] of outcomes.entries()) {
          reports.push(o.report);
          plateRows.push(...o.rows);
          if (o.report.status === "ok") ok++;
          if (o.histogram) {
            if (bitDepth === null) bitDepth = o.histogram.bitDepth;
            if (o.histogram.bitDepth === bitDepth) {
              const h = new IntensityHistogram(o.histogram.bitDepth, o.histogram.counts);
              all.merge(h);
              if (c[k].compound === DMSO) dmso.merge(h);
            }
          }
          options.onProgress?.(++done, fields.length, o.report);
        }
      };
      // A field missing a channel file is reported without being read.
      for (const f of pf) {
        const entry = incomplete.get(fieldKey(f));
        if (!entry) continue;
        const report: FieldReport = {
          plate: f.plate,
          well: f.well,
          site: f.site,
          status: "missing-file",
          message: missingFilesMessage(entry),
          nuclei: 0,
          crops: 0,
          seconds: 0,
        };
        reports.push(report);
        options.onProgress?.(++done, fields.length, report);
      }
      if (pool) await Promise.all(chunks(complete, jobs * 4).map(segmentChunk));
      else for (const f of complete) await segmentChunk([f]);
      const scaling = bitDepth === null ? null : plateScaling(
        dmso.total ? new IntensityHistogram(bitDepth, dmso.counts) : null,
        new IntensityHistogram(bitDepth, all.counts),
      );
      if (normalization !== "none" && scaling) {
        for (const shard of [...new Set(plateRows.map((r) => r.shard))]) {
          const path = join(outDir, shard);
          const s = await readShard(path);
          const [count, size] = s.header.shape;
          const data = normalization === "crop-max"
            ? normalizeCropMax(s.data, count, size)
            : normalizePlatePercentile(s.data, scaling);
          await writeShard(path, {
            header: {
              ...s.header,
              dtype: "float32",
              normalization,
              ...(normalization === "plate-percentile" ? { scaling } : {}),
            },
            data,
          });
        }
      }
      plateRows.sort((a, b) => a.shard < b.shard ? -1 : a.shard > b.shard ? 1 : a.index - b.index);
      rows.push(...plateRows);
      plateRecords[plate] = {
        fields: pf.length,
        absent: census.absent.filter((f) => f.plate === plate).length,
        ok,
        crops: plateRows.length,
        illuminationMax: illum
          ? illum.map((f) => f.reduce((m, v) => (v > m ? v : m), 1)) as [number, number, number]
          : null,
        illuminationFields: illumFields,
        scaling,
      };
    }
  } finally {
    pool?.close();
  }
  const order = new Map(fields.map((f, i) => [fieldKey(f), i]));
  reports.sort((a, b) => order.get(fieldKey(a))! - order.get(fieldKey(b))!);
  const statuses: Partial<Record<FieldStatus, number>> = {};
  for (const r of reports) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const summary: SegmentDatasetSummary = {
    fields: fields.length,
    absent: census.absent.length,
    statuses,
    crops: rows.length,
    plates: plates.length,
    seconds: (performance.now() - t0) / 1000,
    options: {
      cropSize: options.cropSize ?? 96,
      maskOutsideCell: options.maskOutsideCell ?? false,
      illumination,
      minIlluminationFields: minIllum,
      normalization,
      diameter: options.diameter ?? 25,
      splitDepth: resolveNucleiOptions({ diameter: options.diameter, ...options.nuclei }).h,
    },
  };
  await writeFileAtomic(join(outDir, "cells.csv"), formatCellTable(rows));
  await writeFileAtomic(join(outDir, "plates.json"), JSON.stringify(plateRecords, null, 2) + "\n");
  // Timings stay out of the files, so that the same input gives byte-identical output (a cache's early cutoff
  // depends on it); they are in the returned summary and the task's log.
  const { seconds: _s, ...timeless } = summary;
  await writeFileAtomic(
    join(outDir, "report.json"),
    JSON.stringify({ summary: timeless, fields: reports.map(({ seconds: _t, ...r }) => r) }, null, 2) + "\n",
  );
  return summary;
}

/**
 * Segments one plate of the dataset in `inputDir` into `outDir` (its own shards, `cells.csv`,
 * `plates.json` and `report.json`): {@linkcode segmentDataset} restricted to `plate`.
 *
 * @throws Error when the plate is not in the dataset.
 */
export function segmentPlate(
  inputDir: string,
  outDir: string,
  plate: string,
  options: Omit<SegmentDatasetOptions, "plates"> = {},
): Promise<SegmentDatasetSummary> {
  return segmentDataset(inputDir, outDir, { ...options, plates: [plate] });
}
