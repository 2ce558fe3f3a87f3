/**
 * A small seeded pseudo-random number generator (mulberry32), so that
 * permutation tests give the same numbers on every run.
 *
 * @module
 */

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/**
 * Returns a mulberry32 generator: 32-bit state, uniform floats in [0, 1).
 *
 * @param seed Any integer; the same seed gives the same sequence.
 */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Uniform integer in [0, n).
 *
 * @param rng The generator.
 * @param n Exclusive upper bound (> 0).
 */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}
