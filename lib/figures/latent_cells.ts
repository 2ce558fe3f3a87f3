/**
 * Real cells in latent space: every measurement of the encoder models (the registry's VAE and BiGAN, every
 * training seed) that the latent-space figures draw (lib/figures/latent_figures.ts).
 *
 * - **Reconstructions** G(E(x)) of real cells: pixel error beside G(z) for a random z (the control), and
 *   whether each reconstruction is nearer to its own cell than to any other of the sample (identification;
 *   chance 1/n).
 * - **Interpolation between real cells**: G along (1 − t)·E(x₁) + t·E(x₂), a DMSO cell to a treated one.
 * - **Treatment vectors** and the **dose direction** (lib/figures/treatment_vectors.ts), measured in classical
 *   features with a random-direction control.
 *
 * Cells: every treatment's cells (at most `perTreatment` of each, drawn with the seed) and the DMSO cells,
 * split at random into a half that defines the DMSO code and a held-out half the vectors are added to (at most
 * `base` of them). The images of the first seed's examples are kept for the figures.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { readCrops, readCropTable } from "../imaging/crop_store.ts";
import type { Gan } from "../models/gan.ts";
import { Rng } from "../models/rng.ts";
import { loadGan } from "../models/weights.ts";
import { classicalFeaturesBatch } from "../profiling/classical.ts";
import { CONTROL } from "../profiling/types.ts";
import { ganGenerator } from "./sampling.ts";
import { stratifiedSample } from "./stratify.ts";
import {
  type CellGroup,
  type DoseResult,
  type LatentCells,
  meanRows,
  measureDoseDirection,
  measureTreatmentVectors,
  rowsOf,
  type TreatmentResult,
} from "./treatment_vectors.ts";
import { interpolate, row } from "./latent.ts";

/** How much is measured. */
export interface LatentCellOptions {
  seed: number;
  /** At most this many cells of each treatment (default 100). */
  perTreatment: number;
  /** At most this many held-out DMSO cells the vectors are added to (default 64). */
  base: number;
  /** Reconstruction examples per MOA (default 3). */
  examples: number;
  /** Pairs of real cells interpolated (default 2), and the images per path. */
  pairs: number;
  steps: number;
  /** How far along the dose direction (default 0, ½, 1, 1½, 2, 3). */
  alphas: readonly number[];
  batchSize: number;
  /** Cells whose reconstruction error and identification are measured (default 256). */
  reconstructionCells: number;
}

/** The defaults. */
export const DEFAULT_LATENT_CELL_OPTIONS: LatentCellOptions = {
  seed: 0,
  perTreatment: 100,
  base: 64,
  examples: 3,
  pairs: 2,
  steps: 9,
  alphas: [0, 0.5, 1, 1.5, 2, 3],
  batchSize: 128,
  reconstructionCells: 256,
};

/** The real cells drawn, grouped. */
export interface CellSample {
  size: number;
  /** `[n, s, s, 3]` in [−1, 1]. */
  images: Float32Array;
  /** The label of each drawn cell: its MOA, DMSO, or null (unannotated). */
  labels: (string | null)[];
  treatments: CellGroup[];
  dmsoFit: number[];
  dmsoBase: number[];
  /** The compound of the dose direction, its concentrations lowest first; null without a compound of ≥ 2. */
  dose: { compound: string; moa: string | null; concentrations: CellGroup[] } | null;
}

/** Draws the cells of a normalised crop store (see the module). */
export async function sampleCells(store: string, o: LatentCellOptions): Promise<CellSample> {
  const table = await readCropTable(store);
  const rng = new Rng(o.seed + 31);
  const byTreatment = new Map<string, number[]>();
  const dmso: number[] = [];
  table.forEach((r, i) => {
    if (r.compound === CONTROL) dmso.push(i);
    else {
      const key = `${r.compound} @ ${r.concentration}`;
      const list = byTreatment.get(key);
      if (list) list.push(i);
      else byTreatment.set(key, [i]);
    }
  });
  const draw = (all: number[], k: number) =>
    Array.from(rng.permutation(all.length).subarray(0, k), (j) => all[j]);
  const picked: number[] = [];
  const pos = (rows: number[]) => rows.map((r) => (picked.push(r), picked.length - 1));
  const dmsoRows = draw(dmso, Math.min(dmso.length, 2 * Math.max(o.base, 64)));
  const half = Math.floor(dmsoRows.length / 2);
  const dmsoFit = pos(dmsoRows.slice(0, half));
  const dmsoBase = pos(dmsoRows.slice(half, half + Math.min(o.base, dmsoRows.length - half)));
  const treatments: CellGroup[] = [];
  for (const [label, rows] of [...byTreatment].sort(([a], [b]) => a.localeCompare(b))) {
    if (rows.length < 3) continue;
    treatments.push({
      label,
      moa: table[rows[0]].moa,
      indices: pos(draw(rows, Math.min(rows.length, o.perTreatment))),
    });
  }
  const crops = await readCrops(store, { rows: table, indices: picked });
  if (crops.dtype !== "float32") {
    throw new Error(`Cannot encode '${store}': expected normalised float32 crops, found ${crops.dtype}`);
  }
  const labels = picked.map((i) => table[i].moa ?? (table[i].compound === CONTROL ? CONTROL : null));
  // The dose direction: the compound with the most concentrations (then the most cells, then by name).
  const byCompound = new Map<string, CellGroup[]>();
  for (const t of treatments) {
    const compound = t.label.slice(0, t.label.lastIndexOf(" @ "));
    byCompound.set(compound, [...(byCompound.get(compound) ?? []), t]);
  }
  const cellsOf = (gs: CellGroup[]) => gs.reduce((a, g) => a + g.indices.length, 0);
  const best =
    [...byCompound].filter(([, gs]) => gs.length >= 2).sort(([a, x], [b, y]) =>
      y.length - x.length || cellsOf(y) - cellsOf(x) || a.localeCompare(b)
    )[0];
  const concentration = (g: CellGroup) => Number(g.label.slice(g.label.lastIndexOf(" @ ") + 3));
  return {
    size: crops.size,
    images: crops.data as Float32Array,
    labels,
    treatments,
    dmsoFit,
    dmsoBase,
    dose: best
      ? {
        compound: best[0],
        moa: best[1][0].moa,
        concentrations: [...best[1]].sort((a, b) => concentration(a) - concentration(b)),
      }
      : null,
  };
}

/** A model's codes of `[n, s, s, 3]` images: `[n, latentDim]` (Gan.inferLatent: μ or E(x)). */
export async function encodeCells(gan: Gan, images: Float32Array, batchSize: number): Promise<Float32Array> {
  const s = gan.config.size, per = s * s * 3, d = gan.config.latentDim, n = images.length / per;
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i += batchSize) {
    const m = Math.min(batchSize, n - i);
    const z = tf.tidy(() =>
      gan.inferLatent(tf.tensor4d(images.subarray(i * per, (i + m) * per), [m, s, s, 3]))
    );
    out.set(await z.data() as Float32Array, i * d);
    z.dispose();
  }
  return out;
}

/** Reconstruction of real cells by one seed. */
export interface Reconstruction {
  cells: number;
  /** Mean squared error per pixel value, G(E(x)) against x. */
  mse: number;
  /** The same for G(z), z ~ N(0, I): an unrelated generated cell (the control). */
  mseControl: number;
  /** Fraction of cells whose reconstruction is nearer (pixels) to their own cell than to any other drawn. */
  identified: number;
  /** The same for G(z) (chance: 1 / cells). */
  identifiedControl: number;
}

/** Everything measured for one seed of one model. */
export interface SeedMeasurements {
  seed: number;
  reconstruction: Reconstruction;
  treatments: { features: number; results: TreatmentResult[] } | null;
  dose: DoseResult | null;
}

/** The first seed's images for the figures. */
export interface LatentExamples {
  /** Per MOA: the real cells and their reconstructions. */
  reconstructions: { label: string; real: Float32Array; decoded: Float32Array; n: number }[];
  /** Per pair: x₁, the decoded path, x₂. */
  paths: { from: string; to: string; real: [Float32Array, Float32Array]; decoded: Float32Array }[];
  /** Held-out DMSO cells decoded, and per shown treatment the same plus its vector, and two real cells. */
  vectors: {
    base: Float32Array;
    rows: { label: string; moa: string | null; decoded: Float32Array; real: Float32Array; realN: number }[];
    n: number;
  } | null;
  /** The lowest concentration's cells decoded at each α, and real cells of each concentration. */
  dose:
    | { decoded: Float32Array[]; real: { label: string; images: Float32Array; n: number }[]; n: number }
    | null;
}

/** All of one model. */
export interface ModelMeasurements {
  key: string;
  name: string;
  seeds: SeedMeasurements[];
  examples: LatentExamples;
}

const per = (size: number) => size * size * 3;

/** The crops `idx` of `[n, size, size, 3]` crops. */
function images(x: Float32Array, size: number, idx: readonly number[]): Float32Array {
  return rowsOf(x, per(size), idx);
}

function meanSquared(a: Float32Array, b: Float32Array, i: number, j: number, p: number): number {
  let s = 0;
  for (let k = 0; k < p; k++) s += (a[i * p + k] - b[j * p + k]) ** 2;
  return s / p;
}

/** Reconstruction error and identification of `n` cells against their reconstructions `decoded`. */
export function reconstructionScores(real: Float32Array, decoded: Float32Array, n: number): {
  mse: number;
  identified: number;
} {
  const p = real.length / n;
  let mse = 0, hits = 0;
  for (let j = 0; j < n; j++) {
    const own = meanSquared(real, decoded, j, j, p);
    mse += own;
    let nearest = true;
    for (let i = 0; i < n && nearest; i++) {
      if (i !== j && meanSquared(real, decoded, i, j, p) < own) nearest = false;
    }
    if (nearest) hits++;
  }
  return { mse: mse / n, identified: hits / n };
}

/** Measures one encoder model, each of its seeds (model folders), on the drawn cells. */
export async function measureModel(
  key: string,
  name: string,
  seeds: readonly { seed: number; modelDir: string }[],
  cells: CellSample,
  o: LatentCellOptions,
  log: (line: string) => void = () => {},
): Promise<ModelMeasurements> {
  const size = cells.size, n = cells.images.length / per(size);
  const to01 = (x: Float32Array) => x.map((v) => (v + 1) / 2);
  const measure = (x: Float32Array, count: number) => classicalFeaturesBatch(to01(x), count, size);
  const rng = new Rng(o.seed + 41);
  const reconIdx = Array.from(rng.permutation(n).subarray(0, Math.min(n, o.reconstructionCells)));
  const out: ModelMeasurements = {
    key,
    name,
    seeds: [],
    examples: { reconstructions: [], paths: [], vectors: null, dose: null },
  };
  for (const [k, { seed, modelDir }] of seeds.entries()) {
    const gan = await loadGan(modelDir);
    try {
      const d = gan.config.latentDim;
      const codes = await encodeCells(gan, cells.images, o.batchSize);
      const g = ganGenerator(gan, o.batchSize);
      const decode = (z: Float32Array, m: number) => g.generate(z, m);
      const latent: LatentCells = { images: cells.images, codes, d, decode, measure };
      // Reconstructions, and the control: G of random codes.
      const real = images(cells.images, size, reconIdx);
      const rec = reconstructionScores(
        real,
        await decode(rowsOf(codes, d, reconIdx), reconIdx.length),
        reconIdx.length,
      );
      const randomZ = new Rng(o.seed + 47).fillNormal(new Float32Array(reconIdx.length * d));
      const ctl = reconstructionScores(real, await decode(randomZ, reconIdx.length), reconIdx.length);
      const reconstruction = {
        cells: reconIdx.length,
        mse: rec.mse,
        mseControl: ctl.mse,
        identified: rec.identified,
        identifiedControl: ctl.identified,
      };
      const enough = cells.dmsoFit.length >= 2 && cells.dmsoBase.length >= 2 && cells.treatments.length > 0;
      const treatments = enough
        ? await measureTreatmentVectors(latent, cells.treatments, cells.dmsoFit, cells.dmsoBase, o.seed + 53)
        : null;
      const dose = cells.dose
        ? await measureDoseDirection(latent, cells.dose.concentrations, o.alphas, o.seed + 59)
        : null;
      out.seeds.push({ seed, reconstruction, treatments, dose });
      log(
        `${name} seed ${seed}: reconstruction MSE ${reconstruction.mse.toFixed(4)} (random z ${
          reconstruction.mseControl.toFixed(4)
        }), identified ${reconstruction.identified.toFixed(3)}` +
          (treatments
            ? `; treatment vectors cosine ${
              mean(treatments.results.map((r) => r.direction.cosine)).toFixed(3)
            } (random ${mean(treatments.results.map((r) => r.control.cosine)).toFixed(3)})`
            : ""),
      );
      if (k === 0) out.examples = await examples(cells, codes, d, decode, o);
    } finally {
      gan.dispose();
    }
  }
  return out;
}

/** The mean of finite values (NaN when none). */
export function mean(xs: readonly number[]): number {
  const f = xs.filter(Number.isFinite);
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : NaN;
}

async function examples(
  cells: CellSample,
  codes: Float32Array,
  d: number,
  decode: (z: Float32Array, n: number) => Promise<Float32Array>,
  o: LatentCellOptions,
): Promise<LatentExamples> {
  const size = cells.size;
  const code = (idx: readonly number[]) => rowsOf(codes, d, idx);
  const strata = stratifiedSample(cells.labels, o.examples, o.seed + 43, { first: CONTROL });
  const reconstructions = [];
  for (const s of strata) {
    reconstructions.push({
      label: s.label,
      real: images(cells.images, size, s.indices),
      decoded: await decode(code(s.indices), s.indices.length),
      n: s.indices.length,
    });
  }
  // Paths: a DMSO cell to a cell of another class, for `pairs` classes.
  const paths = [];
  const others = strata.filter((s) => s.label !== CONTROL);
  const from = strata.find((s) => s.label === CONTROL) ?? strata[0];
  for (let p = 0; p < Math.min(o.pairs, others.length); p++) {
    const a = from.indices[p % from.indices.length],
      b = others[Math.floor((p * others.length) / o.pairs)].indices[0];
    const path = interpolate(row(codes, a, d), row(codes, b, d), o.steps, "linear");
    paths.push({
      from: cells.labels[a] ?? "?",
      to: cells.labels[b] ?? "?",
      real: [images(cells.images, size, [a]), images(cells.images, size, [b])] as [
        Float32Array,
        Float32Array,
      ],
      decoded: await decode(path, o.steps),
    });
  }
  // Treatment vectors: for each MOA, its treatment with the most cells (chosen before anything is measured).
  let vectors: LatentExamples["vectors"] = null;
  const shown = Math.min(6, cells.dmsoBase.length);
  if (cells.dmsoFit.length >= 2 && shown >= 1 && cells.treatments.length) {
    const baseIdx = cells.dmsoBase.slice(0, shown);
    const dmsoMean = meanRows(codes, d, cells.dmsoFit);
    const byMoa = new Map<string, CellGroup>();
    for (const t of cells.treatments) {
      const m = t.moa ?? t.label;
      if (!byMoa.has(m) || byMoa.get(m)!.indices.length < t.indices.length) byMoa.set(m, t);
    }
    const rows = [];
    for (
      const t of [...byMoa.values()].sort((a, b) => (a.moa ?? a.label).localeCompare(b.moa ?? b.label)).slice(
        0,
        12,
      )
    ) {
      const v = meanRows(codes, d, t.indices).map((x, j) => x - dmsoMean[j]);
      const z = code(baseIdx).map((x, i) => x + v[i % d]);
      const realN = Math.min(2, t.indices.length);
      rows.push({
        label: t.label,
        moa: t.moa,
        decoded: await decode(z, shown),
        real: images(cells.images, size, t.indices.slice(0, realN)),
        realN,
      });
    }
    vectors = { base: await decode(code(baseIdx), shown), rows, n: shown };
  }
  let dose: LatentExamples["dose"] = null;
  if (cells.dose) {
    const conc = cells.dose.concentrations;
    const low = conc[0].indices.slice(0, 6), high = conc[conc.length - 1].indices;
    const lowMean = meanRows(codes, d, conc[0].indices);
    const v = meanRows(codes, d, high).map((x, j) => x - lowMean[j]);
    const decoded = [];
    for (const a of o.alphas) {
      decoded.push(await decode(code(low).map((x, i) => x + a * v[i % d]), low.length));
    }
    dose = {
      decoded,
      real: conc.map((c) => {
        const idx = c.indices.slice(0, 6);
        return { label: c.label, images: images(cells.images, size, idx), n: idx.length };
      }),
      n: low.length,
    };
  }
  return { reconstructions, paths, vectors, dose };
}
