/**
 * A score over training seeds: each seed's value, their mean and sample standard deviation, and how the
 * figures write it (`0.85 ± 0.03`, or just `0.85` for one seed).
 * @module
 */
import { fmt } from "./format.ts";

/** A score over seeds. */
export interface SeedScore {
  /** Mean over the seeds' finite values (NaN when none). */
  mean: number;
  /** Sample standard deviation over the finite values (0 with one). */
  sd: number;
  /** Finite values. */
  n: number;
  /** Each seed's value, in seed order. */
  values: number[];
}

/** The mean and sample standard deviation of `values` (non-finite values left out of both). */
export function seedScore(values: readonly number[]): SeedScore {
  const v = values.filter(Number.isFinite);
  const n = v.length;
  const mean = n ? v.reduce((a, b) => a + b, 0) / n : NaN;
  const sd = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n, values: [...values] };
}

/** `mean ± sd` to `digits` significant digits, or the mean alone for one value. */
export function formatSeedScore(s: SeedScore, digits = 3): string {
  return s.n > 1 ? `${fmt(s.mean, digits)} ± ${fmt(s.sd, 2)}` : fmt(s.mean, digits);
}
