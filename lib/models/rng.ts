/**
 * The seeded random source of training (initial weights, z, input noise, label smoothing, batch order):
 * xoshiro128** with a state that saves to and restores from JSON, so a resumed training draws exactly the
 * numbers an uninterrupted one would. Never uses `Math.random` or tfjs's own generators.
 *
 * @module
 */

/** The full state of an {@link Rng}: four 32-bit words and the spare Box–Muller normal, if any. */
export interface RngState {
  s: [number, number, number, number];
  spare: number | null;
}

function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A seeded xoshiro128** generator with uniform, normal and permutation helpers. */
export class Rng {
  #s: Uint32Array;
  #spare: number | null = null;

  /** @param seed any integer; equal seeds give equal streams. */
  constructor(seed: number) {
    this.#s = new Uint32Array(4);
    let x = Math.trunc(seed) | 0;
    for (let i = 0; i < 4; i++) {
      x = splitmix32(x + i);
      this.#s[i] = x;
    }
    if (this.#s.every((v) => v === 0)) this.#s[0] = 1;
  }

  /** A generator continuing from a saved {@link RngState}. */
  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    if (!Array.isArray(state?.s) || state.s.length !== 4) throw new Error("invalid RNG state: expected s[4]");
    r.#s.set(state.s.map((v) => v >>> 0));
    r.#spare = state.spare ?? null;
    return r;
  }

  /** The current state, as plain JSON. */
  state(): RngState {
    return { s: [this.#s[0], this.#s[1], this.#s[2], this.#s[3]], spare: this.#spare };
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A uniform number in [0, 1) with 32 random bits. */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** A standard normal number (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.#spare !== null) {
      const v = this.#spare;
      this.#spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /**
   * Fills `out` with normal numbers × `std` (default 1) and returns it. Marsaglia and Tsang's ziggurat (128
   * layers): ≈ 99 % of draws cost two 32-bit words, a table look-up and a multiply, against a logarithm, a
   * square root and a sine per Box–Muller draw (training draws ≈ 0.6 M normals a step for D's input noise).
   * The layer index and the value take separate words (no correlation between them).
   */
  fillNormal(out: Float32Array, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) {
      const iz = this.nextU32() & 127;
      const hz = this.nextU32() | 0;
      out[i] = (Math.abs(hz) < ZIG_K[iz] ? hz * ZIG_W[iz] : this.#zigguratTail(hz, iz)) * std;
    }
    return out;
  }

  /** The ziggurat's slow path: the base strip's tail, or a wedge test under the density. */
  #zigguratTail(hz: number, iz: number): number {
    for (;;) {
      const x = hz * ZIG_W[iz];
      if (iz === 0) {
        // The tail beyond R: Marsaglia's exponential method.
        let tx, ty;
        do {
          tx = -Math.log(1 - this.uniform()) / ZIG_R;
          ty = -Math.log(1 - this.uniform());
        } while (ty + ty < tx * tx);
        return hz > 0 ? ZIG_R + tx : -ZIG_R - tx;
      }
      if (ZIG_F[iz] + this.uniform() * (ZIG_F[iz - 1] - ZIG_F[iz]) < Math.exp(-0.5 * x * x)) return x;
      iz = this.nextU32() & 127;
      hz = this.nextU32() | 0;
      if (Math.abs(hz) < ZIG_K[iz]) return hz * ZIG_W[iz];
    }
  }

  /** Fills `out` with uniform numbers in [lo, hi) and returns it. */
  fillUniform(out: Float32Array, lo = 0, hi = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  /** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}

/** Ziggurat tables for the standard normal (Marsaglia & Tsang 2000, 128 layers, 32-bit signed draws). */
const ZIG_R = 3.442619855899;
const ZIG_K = new Float64Array(128);
const ZIG_W = new Float64Array(128);
const ZIG_F = new Float64Array(128);
{
  const m1 = 2147483648, vn = 9.91256303526217e-3;
  let dn = ZIG_R, tn = dn;
  const q = vn / Math.exp(-0.5 * dn * dn);
  ZIG_K[0] = (dn / q) * m1;
  ZIG_K[1] = 0;
  ZIG_W[0] = q / m1;
  ZIG_W[127] = dn / m1;
  ZIG_F[0] = 1;
  ZIG_F[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    ZIG_K[i + 1] = (dn / tn) * m1;
    tn = dn;
    ZIG_F[i] = Math.exp(-0.5 * dn * dn);
    ZIG_W[i] = dn / m1;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
