/**
 * Numbers as the figures' captions and notes write them.
 * @module
 */

/** A fraction as a whole percentage: `0.514` → `"51 %"`. */
export const pct = (v: number): string => `${(v * 100).toFixed(0)} %`;

/** A number to `digits` significant digits without trailing zeros (`"n/a"` when not finite). */
export const fmt = (
  v: number,
  digits = 3,
): string => (Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : "n/a");
