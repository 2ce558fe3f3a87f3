/**
 * A small, fast, seeded pseudo-random number generator (xoshiro128**) with the
 * distributions the synthetic data generator needs. Deterministic for a seed on
 * every platform; never uses `Math.random`.
 *
 * @module
 */

/** Mixes a 32-bit integer (splitmix32 finaliser); used to expand seeds. */
export function hash32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Hashes a list of integers and strings to one 32-bit seed (order matters). */
export function seedFrom(...parts: (number | string)[]): number {
  let h = 0x1234567;
  for (const p of parts) {
    if (typeof p === "number") {
      h = hash32(h ^ (p | 0));
      h = hash32(h ^ Math.floor(p / 4294967296));
    } else {
      for (let i = 0; i < p.length; i++) h = hash32(h ^ p.charCodeAt(i));
      h = hash32(h ^ p.length);
    }
  }
  return h;
}

const NORMAL_TABLE_BITS = 16;
let normalTable: Float32Array | undefined;

/**
 * A table of 2^16 standard normal quantiles (at the midpoints of equal-probability
 * bins), used for fast approximate Gaussian noise per pixel.
 */
function getNormalTable(): Float32Array {
  if (normalTable) return normalTable;
  const n = 1 << NORMAL_TABLE_BITS;
  const t = new Float32Array(n);
  for (let i = 0; i < n; i++) t[i] = inverseNormalCdf((i + 0.5) / n);
  normalTable = t;
  return t;
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function inverseNormalCdf(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`inverseNormalCdf: expected 0 < p < 1, got ${p}`);
  const a = [
    -39.69683028665376,
    220.9460984245205,
    -275.9285104469687,
    138.357751867269,
    -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406,
    161.5858368580409,
    -155.6989798598866,
    66.80131188771972,
    -13.28068155211881,
  ];
  const c = [
    -0.007784894002430293,
    -0.3223964580411365,
    -2.400758277161838,
    -2.549732539343734,
    4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -inverseNormalCdf(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * Seeded xoshiro128** generator. Two generators made with the same seed produce
 * the same sequence.
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * rng.uniform(); // a number in [0, 1)
 * rng.normal(10, 2);
 * ```
 */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  #spare: number | null = null;

  /** Makes a generator from a 32-bit (or any finite number) seed. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng: expected a finite seed, got ${seed}`);
    let s = seedFrom(seed);
    this.#a = s = hash32(s);
    this.#b = s = hash32(s);
    this.#c = s = hash32(s);
    this.#d = hash32(s) | 1;
  }

  /** The next raw 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.#b, 5), 7), 9) >>> 0;
    const t = this.#b << 9;
    this.#c ^= this.#a;
    this.#d ^= this.#b;
    this.#b ^= this.#c;
    this.#a ^= this.#d;
    this.#c ^= t;
    this.#d = rotl(this.#d, 11);
    return result;
  }

  /** A uniform number in [0, 1). */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** A uniform number in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.uniform() < p;
  }

  /** A normal deviate (Box–Muller, exact). */
  normal(mean = 0, sd = 1): number {
    if (this.#spare !== null) {
      const s = this.#spare;
      this.#spare = null;
      return mean + sd * s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /** A log-normal deviate whose logarithm has the given mean and sd. */
  logNormal(logMean: number, logSd: number): number {
    return Math.exp(this.normal(logMean, logSd));
  }

  /** A Poisson deviate (Knuth for small means, a rounded normal approximation above 30). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(this.normal(mean, Math.sqrt(mean))));
    const l = Math.exp(-mean);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.uniform();
    } while (p > l);
    return k - 1;
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Rng.pick: expected a non-empty array");
    return items[this.int(items.length)];
  }

  /** Shuffles an array in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /**
   * Fills `out` with approximately standard-normal values quickly (a 2^16-entry
   * quantile table, two lookups per 32-bit draw). Tails are cut at about ±4.3 sd.
   */
  fillNormal(out: Float32Array): Float32Array {
    const t = getNormalTable();
    const n = out.length;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const r = this.nextU32();
      out[i] = t[r & 0xffff];
      out[i + 1] = t[r >>> 16];
    }
    if (i < n) out[i] = t[this.nextU32() & 0xffff];
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
