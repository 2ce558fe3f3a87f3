/**
 * A seeded generator of BBBC021-shaped synthetic cell features, for tests and
 * benchmarks of the profiling pipeline (no real data needed).
 *
 * Layout: `batches` batches of `platesPerBatch` plates; each plate has
 * `controlWells` DMSO wells and, for every treatment assigned to its batch,
 * one well. Treatments: `moas` × `compoundsPerMoa` × `concentrations`; the
 * compounds of one MOA are spread over different batches, so every MOA spans
 * at least two batches when `compoundsPerMoa ≥ 2`. A cell's features are
 *
 *     offset_f + scale_f · (dose · (signature_moa + 0.5 · signature_compound)
 *                            + plateEffect · plate_p + noise · ε)
 *
 * with standard normal signatures, plate vectors and ε.
 *
 * @module
 */

import { Rng } from "../data/rng.ts";
import type { ProfileRow, ProfileTable } from "./types.ts";

/** Options of {@linkcode syntheticCells}. */
export interface SyntheticOptions {
  /** Number of cells (default 100000). */
  cells?: number;
  /** Number of features (default 100). */
  features?: number;
  /** Number of MOAs (default 12). */
  moas?: number;
  /** Compounds per MOA (default 3). */
  compoundsPerMoa?: number;
  /** Concentrations per compound (default 3). */
  concentrations?: number;
  /** Batches (default 10). */
  batches?: number;
  /** Plates per batch (default 3). */
  platesPerBatch?: number;
  /** DMSO wells per plate (default 6). */
  controlWells?: number;
  /** Plate effect size (default 0.5). */
  plateEffect?: number;
  /** Cell noise size (default 2). */
  noise?: number;
  /** Seed (default 1). */
  seed?: number;
}

/**
 * Generates synthetic cells (Float32Array) with their metadata.
 *
 * @param options Sizes and effect strengths.
 */
export function syntheticCells(options: SyntheticOptions = {}): ProfileTable<ProfileRow> {
  const nCells = options.cells ?? 100000, d = options.features ?? 100;
  const nMoa = options.moas ?? 12, nComp = options.compoundsPerMoa ?? 3, nConc = options.concentrations ?? 3;
  const nBatch = options.batches ?? 10,
    ppb = options.platesPerBatch ?? 3,
    ctrlWells = options.controlWells ?? 6;
  const plateEffect = options.plateEffect ?? 0.5, noise = options.noise ?? 2;
  const rng = new Rng(options.seed ?? 1);
  const vec = () => Float64Array.from({ length: d }, () => rng.normal());
  const offset = Float64Array.from({ length: d }, () => rng.range(10, 100));
  const scale = Float64Array.from({ length: d }, () => rng.range(0.5, 5));
  const moaSig = Array.from({ length: nMoa }, vec);
  interface Well {
    row: ProfileRow;
    mean: Float64Array;
  }
  const wells: Well[] = [];
  const treatments: {
    compound: string;
    concentration: number;
    moa: string;
    batch: number;
    signal: Float64Array;
  }[] = [];
  for (let m = 0; m < nMoa; m++) {
    for (let c = 0; c < nComp; c++) {
      const compSig = vec();
      const batch = (m * nComp + c * Math.max(1, Math.floor(nBatch / nComp))) % nBatch;
      for (let k = 0; k < nConc; k++) {
        const dose = 0.5 + k / Math.max(1, nConc - 1);
        const signal = new Float64Array(d);
        for (let j = 0; j < d; j++) signal[j] = dose * (moaSig[m][j] + 0.5 * compSig[j]);
        treatments.push({
          compound: `moa${m}_compound${c}`,
          concentration: 10 ** (k - 1),
          moa: `MOA ${m}`,
          batch,
          signal,
        });
      }
    }
  }
  for (let b = 0; b < nBatch; b++) {
    for (let p = 0; p < ppb; p++) {
      const plate = `Week${b + 1}_${1000 * (b + 1) + p}`;
      const plateVec = vec();
      const here = [
        ...Array.from(
          { length: ctrlWells },
          () => ({ compound: "DMSO", concentration: 0, moa: "DMSO", signal: null }),
        ),
        ...treatments.filter((t) => t.batch === b),
      ];
      here.forEach((t, w) => {
        const mean = new Float64Array(d);
        for (let j = 0; j < d; j++) mean[j] = (t.signal ? t.signal[j] : 0) + plateEffect * plateVec[j];
        const well = `${String.fromCharCode(66 + Math.floor(w / 10))}${
          String((w % 10) + 2).padStart(2, "0")
        }`;
        wells.push({
          row: {
            plate,
            well,
            batch: `Week${b + 1}`,
            compound: t.compound,
            concentration: t.concentration,
            moa: t.moa,
          },
          mean,
        });
      });
    }
  }
  const data = new Float32Array(nCells * d);
  const rows: ProfileRow[] = new Array(nCells);
  for (let i = 0; i < nCells; i++) {
    const w = wells[i % wells.length];
    rows[i] = w.row;
    const o = i * d;
    for (let j = 0; j < d; j++) data[o + j] = offset[j] + scale[j] * (w.mean[j] + noise * rng.normal());
  }
  return { features: Array.from({ length: d }, (_, j) => `f${j}`), data, rows };
}
