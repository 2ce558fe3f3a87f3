/**
 * Simulated experiments on real cells (the paper's conclusion, done with an encoder): a treatment's vector in
 * G's latent space is the mean code of its cells minus the mean code of DMSO cells; adding it to the codes of
 * other (held-out) DMSO cells and decoding them simulates treating those cells. Whether the simulation is
 * right is measured where no network is involved, in a feature space of the images (classical CellProfiler-like
 * features, standardised by the held-out DMSO cells):
 *
 * - Δ_real = mean f(real treated cells) − mean f(real held-out DMSO cells): what the treatment does;
 * - Δ_sim = mean f(G(E(DMSO) + v)) − mean f(G(E(DMSO))): what the vector does to the decoded cells (both
 *   terms decoded, so that G's own bias cancels);
 * - `cosine`(Δ_sim, Δ_real): does the decoded shift point toward the treated cells; `gain` = Δ_sim·Δ_real /
 *   ‖Δ_real‖²: how far along the real shift it goes (1: all the way);
 * - the control: the same for a random direction of the same length as v (Fig. 3's random-direction control).
 *
 * The dose direction is the same with v = mean code at a compound's highest concentration minus its lowest,
 * added α times (α > 1 extrapolates) to the lowest concentration's cells.
 *
 * The decoder and the features are parameters, so that the measurement is tested on maps whose answer is
 * known.
 * @module
 */
import { Rng } from "../models/rng.ts";
import { standardize } from "./realism.ts";

/** Decodes `n` codes (`[n, d]` row-major) into images. */
export type Decode = (codes: Float32Array, n: number) => Promise<Float32Array>;
/** Features of `n` images: `[n, k]` row-major, the same k for every call. */
export type Measure = (images: Float32Array, n: number) => Float32Array;

/** Agreement of a simulated shift with the real one. */
export interface ShiftAgreement {
  /** cos(Δ_sim, Δ_real) in [−1, 1]. */
  cosine: number;
  /** Δ_sim·Δ_real / ‖Δ_real‖²: the fraction of the real shift reproduced along its direction. */
  gain: number;
}

/** The agreement of `sim` with `real` (NaN when either is zero). */
export function shiftAgreement(sim: ArrayLike<number>, real: ArrayLike<number>): ShiftAgreement {
  if (sim.length !== real.length) {
    throw new Error(`shiftAgreement: shifts of ${sim.length} and ${real.length} features`);
  }
  let dot = 0, ss = 0, rr = 0;
  for (let j = 0; j < real.length; j++) {
    dot += sim[j] * real[j];
    ss += sim[j] * sim[j];
    rr += real[j] * real[j];
  }
  return { cosine: dot / Math.sqrt(ss * rr), gain: dot / rr };
}

/** The mean of the rows `indices` of `x` ([n, d] row-major): [d]. */
export function meanRows(x: ArrayLike<number>, d: number, indices: readonly number[]): Float64Array {
  if (indices.length === 0) throw new Error("meanRows: no rows");
  const m = new Float64Array(d);
  for (const i of indices) for (let j = 0; j < d; j++) m[j] += x[i * d + j];
  for (let j = 0; j < d; j++) m[j] /= indices.length;
  return m;
}

/** The rows `indices` of `x` ([n, d]), each plus `alpha · v`: [indices.length, d]. */
export function shifted(
  x: Float32Array,
  d: number,
  indices: readonly number[],
  v: ArrayLike<number>,
  alpha = 1,
): Float32Array {
  const out = new Float32Array(indices.length * d);
  indices.forEach((i, k) => {
    for (let j = 0; j < d; j++) out[k * d + j] = x[i * d + j] + alpha * v[j];
  });
  return out;
}

/** A direction drawn uniformly on the sphere, of length `norm`. */
export function randomDirection(d: number, norm: number, rng: Rng): Float64Array {
  const v = Float64Array.from(rng.fillNormal(new Float32Array(d)));
  const n = Math.hypot(...v);
  return v.map((x) => (x * norm) / n);
}

/** The Euclidean length of a vector. */
export function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j] * v[j];
  return Math.sqrt(s);
}

/** What the measurement works on: real cells (images, codes, features) and the decoder. */
export interface LatentCells {
  /** Real cells, `[n, s, s, 3]`. */
  images: Float32Array;
  /** Their codes, `[n, d]`. */
  codes: Float32Array;
  /** Code dimension. */
  d: number;
  decode: Decode;
  measure: Measure;
}

/** A group of real cells (a treatment, or a concentration of a compound). */
export interface CellGroup {
  label: string;
  moa: string | null;
  indices: readonly number[];
}

/** One treatment's simulated experiment. */
export interface TreatmentResult {
  label: string;
  moa: string | null;
  cells: number;
  /** ‖v‖ in the latent space. */
  vectorNorm: number;
  direction: ShiftAgreement;
  control: ShiftAgreement;
}

/** Features of images standardised by a reference set's (realism.ts's `standardize`: its kept columns). */
class Standardizer {
  readonly columns: number[];
  readonly #reference: Float32Array;
  readonly #k: number;
  constructor(reference: Float32Array, k: number) {
    this.#reference = reference;
    this.#k = k;
    this.columns = standardize([reference], k).columns;
  }
  /** The standardised mean of a set of `[n, k]` features (non-finite values count as the reference mean). */
  mean(features: Float32Array): Float64Array {
    const std = standardize([this.#reference, features], this.#k);
    return meanRows(std.sets[1], std.columns.length, [...Array(features.length / this.#k).keys()]);
  }
}

/** The rows `indices` of `x`, each `per` values wide: `[indices.length, per]`. */
export function rowsOf(x: Float32Array, per: number, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * per);
  indices.forEach((i, k) => out.set(x.subarray(i * per, (i + 1) * per), k * per));
  return out;
}

const sub = (a: Float64Array, b: Float64Array) => a.map((v, j) => v - b[j]);

/**
 * The simulated experiment of each treatment: its vector (mean code of its cells minus that of `dmsoFit`)
 * added to the held-out DMSO cells `dmsoBase`, decoded and measured against its real cells (see the module).
 *
 * @param seed the random control directions' seed
 */
export async function measureTreatmentVectors(
  cells: LatentCells,
  treatments: readonly CellGroup[],
  dmsoFit: readonly number[],
  dmsoBase: readonly number[],
  seed: number,
): Promise<{ features: number; results: TreatmentResult[] }> {
  const { codes, d, images } = cells;
  const per = images.length / (codes.length / d);
  const n = dmsoBase.length;
  const measure = (x: Float32Array, count: number) => cells.measure(x, count);
  const realBase = measure(rowsOf(images, per, dmsoBase), n);
  const k = realBase.length / n;
  const z = new Standardizer(realBase, k);
  const baseMean = z.mean(realBase);
  const decodedBase = z.mean(
    measure(await cells.decode(shifted(codes, d, dmsoBase, new Float64Array(d), 0), n), n),
  );
  const dmsoCode = meanRows(codes, d, dmsoFit);
  const rng = new Rng(seed);
  const results: TreatmentResult[] = [];
  for (const t of treatments) {
    const v = sub(meanRows(codes, d, t.indices), dmsoCode);
    const real = sub(z.mean(measure(rowsOf(images, per, t.indices), t.indices.length)), baseMean);
    const simulate = async (dir: ArrayLike<number>) =>
      sub(z.mean(measure(await cells.decode(shifted(codes, d, dmsoBase, dir), n), n)), decodedBase);
    const control = randomDirection(d, norm(v), rng);
    results.push({
      label: t.label,
      moa: t.moa,
      cells: t.indices.length,
      vectorNorm: norm(v),
      direction: shiftAgreement(await simulate(v), real),
      control: shiftAgreement(await simulate(control), real),
    });
  }
  return { features: z.columns.length, results };
}

/** The dose direction of one compound, followed α times from its lowest concentration's cells. */
export interface DoseResult {
  /** α: 0 (the lowest concentration's cells decoded), 1 (as far as the highest), beyond (extrapolated). */
  alphas: number[];
  /** Per α, the decoded cells' shift along the real low → high shift (gain; 1 = the highest concentration). */
  direction: ShiftAgreement[];
  /** The same along a random direction of the same length. */
  control: ShiftAgreement[];
  /** Each real concentration's shift from the lowest along the same real low → high shift. */
  real: { label: string; cells: number; gain: number; cosine: number }[];
}

/**
 * The dose direction: v = mean code of `concentrations`' last group minus its first; the first group's cells
 * plus α·v decoded, for each α, measured along the real shift from the first group to the last.
 *
 * @param concentrations the compound's cells by concentration, lowest first (at least 2)
 */
export async function measureDoseDirection(
  cells: LatentCells,
  concentrations: readonly CellGroup[],
  alphas: readonly number[],
  seed: number,
): Promise<DoseResult> {
  if (concentrations.length < 2) throw new Error("measureDoseDirection: needs at least 2 concentrations");
  const { codes, d, images } = cells;
  const per = images.length / (codes.length / d);
  const low = concentrations[0], high = concentrations[concentrations.length - 1];
  const measure = (idx: readonly number[]) => cells.measure(rowsOf(images, per, idx), idx.length);
  const lowFeatures = measure(low.indices);
  const k = lowFeatures.length / low.indices.length;
  const z = new Standardizer(lowFeatures, k);
  const lowMean = z.mean(lowFeatures);
  const realShift = sub(z.mean(measure(high.indices)), lowMean);
  const v = sub(meanRows(codes, d, high.indices), meanRows(codes, d, low.indices));
  const control = randomDirection(d, norm(v), new Rng(seed));
  const n = low.indices.length;
  const decodedMean = async (dir: ArrayLike<number>, alpha: number) =>
    z.mean(cells.measure(await cells.decode(shifted(codes, d, low.indices, dir, alpha), n), n));
  const base = await decodedMean(v, 0);
  const direction: ShiftAgreement[] = [], ctrl: ShiftAgreement[] = [];
  for (const a of alphas) {
    direction.push(shiftAgreement(sub(await decodedMean(v, a), base), realShift));
    ctrl.push(shiftAgreement(sub(await decodedMean(control, a), base), realShift));
  }
  const real = concentrations.map((c) => {
    const s = shiftAgreement(sub(z.mean(measure(c.indices)), lowMean), realShift);
    return { label: c.label, cells: c.indices.length, gain: s.gain, cosine: s.cosine };
  });
  return { alphas: [...alphas], direction, control: ctrl, real };
}
