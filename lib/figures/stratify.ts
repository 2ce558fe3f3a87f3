/**
 * Stratified sampling: a few items of each class drawn at random, for figures that show every class (real
 * cells of each MOA beside generated ones in Fig. 1).
 * @module
 */
import { Rng } from "../models/rng.ts";

/** The items drawn of one class. */
export interface Stratum {
  label: string;
  /** Indices into the labels, in the order drawn. */
  indices: number[];
  /** Items of the class in all. */
  available: number;
}

/**
 * Up to `perClass` indices of each label, drawn without replacement (seeded), one stratum per label in name
 * order with `first` (e.g. the control) ahead of the others; items labelled null belong to no class.
 */
export function stratifiedSample(
  labels: readonly (string | null)[],
  perClass: number,
  seed: number,
  options: { first?: string } = {},
): Stratum[] {
  if (!(Number.isInteger(perClass) && perClass >= 1)) {
    throw new RangeError(`stratifiedSample: expected a whole number of items per class ≥ 1, got ${perClass}`);
  }
  const byLabel = new Map<string, number[]>();
  labels.forEach((l, i) => {
    if (l === null) return;
    const list = byLabel.get(l);
    if (list) list.push(i);
    else byLabel.set(l, [i]);
  });
  const rng = new Rng(seed);
  const order = [...byLabel.keys()].sort((a, b) =>
    a === options.first ? -1 : b === options.first ? 1 : a.localeCompare(b)
  );
  return order.map((label) => {
    const all = byLabel.get(label)!;
    const perm = rng.permutation(all.length);
    const k = Math.min(perClass, all.length);
    return { label, indices: Array.from(perm.subarray(0, k), (j) => all[j]), available: all.length };
  });
}
