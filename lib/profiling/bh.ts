/**
 * Benjamini–Hochberg false-discovery-rate correction (statsmodels
 * `multipletests(method="fdr_bh")`).
 *
 * @module
 */

/**
 * BH-adjusted p-values: sort ascending, `q_(i) = min_{j ≥ i} p_(j) · m / j`,
 * capped at 1, returned in the input order. NaN inputs stay NaN and do not
 * count towards m.
 *
 * @param pValues Raw p-values in [0, 1].
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const idx = pValues.map((_, i) => i).filter((i) => !Number.isNaN(pValues[i]));
  for (const i of idx) {
    const p = pValues[i];
    if (!(p >= 0 && p <= 1)) {
      throw new RangeError(`benjaminiHochberg: expected p-values in [0, 1], got ${p} at ${i}`);
    }
  }
  idx.sort((a, b) => pValues[a] - pValues[b] || a - b);
  const m = idx.length;
  const out = pValues.map(() => NaN);
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    const q = Math.min(running, (pValues[idx[k]] * m) / (k + 1));
    running = q;
    out[idx[k]] = q;
  }
  return out;
}
