/**
 * Walks in a generator's latent space: interpolation (linear and spherical) for Fig. 2, and latent vector
 * algebra made automatic and measured for Fig. 3.
 *
 * Algebra: draw N latent vectors z ~ N(0, I), generate and measure an attribute on each image (measure.ts).
 * On the first half (the fit half), the attribute direction is the mean z of the top decile minus the mean z
 * of the bottom decile. On the other half (held out, so the direction is not judged on the samples that
 * chose it), each base z is moved to z + s·direction (s = 1, 2) and measured again: the paired change of the
 * attribute, its standard error and the fraction of bases that increased say whether "more of the attribute"
 * in z gives more of it in the image. A random direction of the same length is the control (moving off
 * the prior's typical set changes images by itself). The paper's form, a − b + c, is measured the same way:
 * a from the held-out top decile, b from its bottom decile, c any held-out base.
 * @module
 */
import { Rng } from "../models/rng.ts";
import type { Attribute } from "./measure.ts";

/** A generator of images `[n, S, S, 3]` in [−1, 1] from latent vectors `[n, latentDim]`. */
export interface ImageGenerator {
  latentDim: number;
  size: number;
  generate(z: Float32Array, n: number): Promise<Float32Array>;
}

/** `n` standard normal latent vectors of dimension `d`, from `seed`. */
export function normalLatents(n: number, d: number, seed: number): Float32Array {
  return new Rng(seed).fillNormal(new Float32Array(n * d));
}

/** Row `i` of a row-major `[·, d]` array (a view). */
export function row(z: Float32Array, i: number, d: number): Float32Array {
  return z.subarray(i * d, (i + 1) * d);
}

/** `(1 − t)·a + t·b`. */
export function lerp(a: ArrayLike<number>, b: ArrayLike<number>, t: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (1 - t) * a[i] + t * b[i];
  return out;
}

/**
 * Spherical interpolation: `sin((1 − t)ω)/sin ω · a + sin(tω)/sin ω · b` with ω the angle between a and b
 * (linear when they are nearly parallel). It keeps the norm near that of typical Gaussian samples, where
 * linear interpolation passes through the low-norm middle that G rarely saw.
 */
export function slerp(a: ArrayLike<number>, b: ArrayLike<number>, t: number): Float32Array {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  const cos = Math.min(1, Math.max(-1, ab / Math.sqrt(aa * bb || 1)));
  const omega = Math.acos(cos);
  if (Math.sin(omega) < 1e-6) return lerp(a, b, t);
  const wa = Math.sin((1 - t) * omega) / Math.sin(omega), wb = Math.sin(t * omega) / Math.sin(omega);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = wa * a[i] + wb * b[i];
  return out;
}

/** `steps` (≥ 2) latent vectors from a to b inclusive, `[steps, d]`. */
export function interpolate(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  steps: number,
  kind: "linear" | "slerp",
): Float32Array {
  if (!(steps >= 2)) throw new RangeError(`interpolate: expected at least 2 steps, got ${steps}`);
  const d = a.length, out = new Float32Array(steps * d);
  const f = kind === "linear" ? lerp : slerp;
  for (let k = 0; k < steps; k++) out.set(f(a, b, k / (steps - 1)), k * d);
  return out;
}

/** Euclidean norm of each row of `[n, d]`. */
export function rowNorms(z: Float32Array, d: number): number[] {
  const n = z.length / d;
  return Array.from({ length: n }, (_, i) => Math.hypot(...row(z, i, d)));
}

/** The attribute direction and the deciles that define it. */
export interface Direction {
  /** mean z of the top fraction − mean z of the bottom fraction. */
  direction: Float32Array;
  /** Indices (into the given rows) of the top and bottom fractions. */
  top: number[];
  bottom: number[];
  /** Mean attribute of the top and bottom fractions. */
  topMean: number;
  bottomMean: number;
}

/**
 * The mean of the rows of `z` (`[n, d]`) whose `values` are in the top `fraction`, minus the mean of those
 * in the bottom `fraction` (at least one row each; ties broken by index).
 */
export function attributeDirection(
  z: Float32Array,
  values: ArrayLike<number>,
  d: number,
  fraction = 0.1,
): Direction {
  const n = values.length;
  if (z.length !== n * d) {
    throw new RangeError(`attributeDirection: expected ${n}×${d} values, got ${z.length}`);
  }
  if (n < 2) throw new RangeError("attributeDirection: expected at least 2 samples");
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => values[i] - values[j] || i - j);
  const k = Math.max(1, Math.min(Math.floor(n / 2), Math.round(fraction * n)));
  const bottom = order.slice(0, k), top = order.slice(n - k);
  const direction = new Float32Array(d);
  for (const i of top) for (let j = 0; j < d; j++) direction[j] += z[i * d + j] / k;
  for (const i of bottom) for (let j = 0; j < d; j++) direction[j] -= z[i * d + j] / k;
  const mean = (ix: number[]) => ix.reduce((s, i) => s + values[i], 0) / ix.length;
  return { direction, top, bottom, topMean: mean(top), bottomMean: mean(bottom) };
}

/** Summary of paired changes. */
export interface Change {
  n: number;
  mean: number;
  sd: number;
  /** Standard error of the mean. */
  se: number;
  /** mean / se. */
  t: number;
  /** Fraction of pairs whose attribute went up. */
  fractionIncreased: number;
}

/** Summarises paired changes `after[i] − before[i]`. */
export function pairedChange(before: ArrayLike<number>, after: ArrayLike<number>): Change {
  const n = before.length;
  let s = 0, up = 0;
  for (let i = 0; i < n; i++) {
    s += after[i] - before[i];
    if (after[i] > before[i]) up++;
  }
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (after[i] - before[i] - mean) ** 2;
  const sd = n > 1 ? Math.sqrt(v / (n - 1)) : 0;
  const se = sd / Math.sqrt(n);
  return {
    n,
    mean,
    sd,
    se,
    t: se > 0 ? mean / se : (mean === 0 ? 0 : Math.sign(mean) * Infinity),
    fractionIncreased: up / n,
  };
}

/** Pearson correlation (NaN when either side is constant). */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Generates `z` (`[n, d]`) in batches and measures each image; keeps the first `keep` images. */
export async function generateAndMeasure(
  gen: ImageGenerator,
  z: Float32Array,
  attribute: Attribute,
  options: { batchSize?: number; keep?: number } = {},
): Promise<{ values: Float64Array; kept: Float32Array }> {
  const d = gen.latentDim, n = z.length / d, s = gen.size, per = s * s * 3;
  const batch = Math.max(1, options.batchSize ?? 256);
  const keep = Math.min(n, options.keep ?? 0);
  const values = new Float64Array(n), kept = new Float32Array(keep * per);
  for (let i = 0; i < n; i += batch) {
    const m = Math.min(batch, n - i);
    const images = await gen.generate(z.subarray(i * d, (i + m) * d), m);
    for (let k = 0; k < m; k++) values[i + k] = attribute.measure(images, k, s);
    if (i < keep) kept.set(images.subarray(0, Math.min(m, keep - i) * per), i * per);
  }
  return { values, kept };
}

/** Options of {@link measureAlgebra}. */
export interface AlgebraOptions {
  /** Latent vectors drawn (half fit the direction, half measure it; default 1000). */
  samples?: number;
  /** Top and bottom fraction (default 0.1: deciles). */
  fraction?: number;
  /** Steps along the direction (default [1, 2]). */
  steps?: readonly number[];
  /** Examples kept for the figure (default 6). */
  examples?: number;
  seed?: number;
  batchSize?: number;
}

/** What {@link measureAlgebra} found, numbers and example images. */
export interface AlgebraResult {
  attribute: string;
  label: string;
  samples: number;
  fitSamples: number;
  heldOut: number;
  fraction: number;
  /** The attribute on the fit half: mean, sd, and the means of its top and bottom fractions. */
  fit: { mean: number; sd: number; topMean: number; bottomMean: number };
  /** The direction (mean z of the top fraction − mean z of the bottom fraction of the fit half). */
  direction: number[];
  directionNorm: number;
  /** Held out: correlation between z·direction and the attribute. */
  heldOutCorrelation: number;
  /** Held-out mean attribute at each step (0 = the bases) along the direction and the random control. */
  along: { step: number; direction: number; control: number }[];
  /** Paired change from the base to base + step·direction (and the control), per step. */
  change: { step: number; direction: Change; control: Change }[];
  /** a − b + c versus c (a: held-out top fraction, b: bottom fraction, c: a held-out base). */
  analogy: Change;
  /** Example images, `[examples, S, S, 3]` each: bases, base + step·direction; a, b, c, a − b + c. */
  examples: {
    count: number;
    steps: { step: number; images: Float32Array }[];
    analogy: { a: Float32Array; b: Float32Array; c: Float32Array; result: Float32Array };
  };
}

/** Latent vector algebra of one attribute, measured (see the module documentation). */
export async function measureAlgebra(
  gen: ImageGenerator,
  attribute: Attribute,
  options: AlgebraOptions = {},
): Promise<AlgebraResult> {
  const d = gen.latentDim, per = gen.size * gen.size * 3;
  const N = Math.max(8, options.samples ?? 1000), fraction = options.fraction ?? 0.1;
  const steps = options.steps ?? [1, 2], seed = options.seed ?? 0;
  const fitN = Math.floor(N / 2), heldN = N - fitN;
  const ex = Math.min(options.examples ?? 6, heldN);
  const batchSize = options.batchSize;
  const z = normalLatents(N, d, seed);
  const fitZ = z.subarray(0, fitN * d), heldZ = z.subarray(fitN * d);
  const fit = await generateAndMeasure(gen, fitZ, attribute, { batchSize });
  const dir = attributeDirection(fitZ, fit.values, d, fraction);
  const norm = Math.hypot(...dir.direction);
  // The control: a random direction of the same length.
  const control = normalLatents(1, d, seed + 7919);
  const cn = Math.hypot(...control) || 1;
  for (let j = 0; j < d; j++) control[j] *= norm / cn;

  const base = await generateAndMeasure(gen, heldZ, attribute, { batchSize, keep: ex });
  const shifted = (v: Float32Array, s: number) => {
    const out = new Float32Array(heldZ.length);
    for (let i = 0; i < heldZ.length; i++) out[i] = heldZ[i] + s * v[i % d];
    return out;
  };
  const along = [{ step: 0, direction: mean(base.values), control: mean(base.values) }];
  const change: AlgebraResult["change"] = [];
  const exampleSteps = [{ step: 0, images: base.kept }];
  for (const s of steps) {
    const moved = await generateAndMeasure(gen, shifted(dir.direction, s), attribute, {
      batchSize,
      keep: ex,
    });
    const ctrl = await generateAndMeasure(gen, shifted(control, s), attribute, { batchSize });
    along.push({ step: s, direction: mean(moved.values), control: mean(ctrl.values) });
    change.push({
      step: s,
      direction: pairedChange(base.values, moved.values),
      control: pairedChange(base.values, ctrl.values),
    });
    exampleSteps.push({ step: s, images: moved.kept });
  }
  const unit = dir.direction.map((v) => v / (norm || 1));
  const projection = Array.from({ length: heldN }, (_, i) => {
    let p = 0;
    for (let j = 0; j < d; j++) p += heldZ[i * d + j] * unit[j];
    return p;
  });

  // a − b + c: a from the held-out top fraction, b from its bottom fraction, c every held-out base in turn.
  const heldDir = attributeDirection(heldZ, base.values, d, fraction);
  const rng = new Rng(seed + 104729);
  const pick = (ix: number[]) => ix[Math.floor(rng.uniform() * ix.length)];
  const triplets = Array.from({ length: heldN }, (_, c) => [pick(heldDir.top), pick(heldDir.bottom), c]);
  const abc = new Float32Array(heldN * d);
  triplets.forEach(([a, b, c], i) => {
    for (let j = 0; j < d; j++) abc[i * d + j] = heldZ[a * d + j] - heldZ[b * d + j] + heldZ[c * d + j];
  });
  const result = await generateAndMeasure(gen, abc, attribute, { batchSize, keep: ex });
  const triplet = (k: 0 | 1 | 2) => {
    const zz = new Float32Array(ex * d);
    for (let i = 0; i < ex; i++) zz.set(row(heldZ, triplets[i][k], d), i * d);
    return gen.generate(zz, ex);
  };
  const fitMean = mean(fit.values);
  return {
    attribute: attribute.name,
    label: attribute.label,
    samples: N,
    fitSamples: fitN,
    heldOut: heldN,
    fraction,
    fit: { mean: fitMean, sd: sd(fit.values, fitMean), topMean: dir.topMean, bottomMean: dir.bottomMean },
    direction: Array.from(dir.direction),
    directionNorm: norm,
    heldOutCorrelation: correlation(projection, base.values),
    along,
    change,
    analogy: pairedChange(base.values, result.values),
    examples: {
      count: ex,
      steps: exampleSteps,
      analogy: {
        a: ex ? await triplet(0) : new Float32Array(0),
        b: ex ? await triplet(1) : new Float32Array(0),
        c: base.kept.slice(0, ex * per),
        result: result.kept,
      },
    },
  };
}

function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s / v.length;
}

function sd(v: ArrayLike<number>, m: number): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] - m) ** 2;
  return Math.sqrt(s / Math.max(1, v.length - 1));
}
