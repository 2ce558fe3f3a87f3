/**
 * Per-plate robust z-score against the negative control, with pycytominer's
 * `mad_robustize` semantics:
 *
 *     x' = (x − median_DMSO) / (1.4826 · MAD_DMSO + ε),  ε = 1e-18
 *
 * where median and MAD (`median(|x − median|)`, NaN omitted) are taken per
 * feature over the control rows of the same plate (pycytominer's
 * `normalize(method="mad_robustize", samples="Metadata_Compound == 'DMSO'")`
 * called plate by plate). As in pycytominer, ε only prevents division by zero:
 * a feature whose control MAD is 0 on a plate is scaled by 1e18, and the
 * `drop_outliers` feature selection (|x| > 500) then removes it.
 *
 * @module
 */

import { NotApplicableError } from "./not_applicable.ts";
import { mad, medianInPlace } from "./stats.ts";
import { assertShape, CONTROL, type ProfileRow, type ProfileTable } from "./types.ts";

/** Options of {@linkcode madRobustize}. */
export interface RobustizeOptions {
  /** Added to the scaled MAD (default 1e-18, as pycytominer). */
  epsilon?: number;
  /** Compound of the control rows (default `"DMSO"`). */
  control?: string;
}

/** A normalised table and what the normaliser had to say about the input. */
export interface NormalizeResult<R extends ProfileRow> {
  /** Normalised table (same array type as the input, same rows). */
  table: ProfileTable<R>;
  /** Human-readable warnings (fallbacks taken, degenerate statistics). */
  warnings: string[];
}

/** The MAD → standard deviation factor for normal data (1 / Φ⁻¹(3/4)). */
export const MAD_SCALE = 1.4826;

/**
 * Robust z-scores per plate against that plate's control rows. A plate
 * without control rows is normalised against the control rows of all plates
 * pooled, with a warning; no control row at all is a {@linkcode NotApplicableError}.
 *
 * @param table Rows (wells or cells) with their plate and compound.
 * @param options ε and the control compound.
 */
export function madRobustize<R extends ProfileRow>(
  table: ProfileTable<R>,
  options: RobustizeOptions = {},
): NormalizeResult<R> {
  assertShape(table, "madRobustize");
  const eps = options.epsilon ?? 1e-18;
  const control = options.control ?? CONTROL;
  const n = table.rows.length, d = table.features.length, x = table.data;
  const byPlate = new Map<string, number[]>();
  const pooled: number[] = [];
  table.rows.forEach((r, i) => {
    let g = byPlate.get(r.plate);
    if (!g) byPlate.set(r.plate, g = []);
    g.push(i);
    if (r.compound === control) pooled.push(i);
  });
  if (pooled.length === 0) {
    throw new NotApplicableError(
      `madRobustize: expected control rows (compound "${control}") to normalise against, found none in ${n} rows`,
    );
  }
  const warnings: string[] = [];
  const Ctor = x instanceof Float32Array ? Float32Array : Float64Array;
  const out = new Ctor(n * d);
  const scratch = new Float64Array(Math.max(pooled.length, 1));
  const center = new Float64Array(d), scale = new Float64Array(d);
  const fit = (ctrl: number[]) => {
    for (let j = 0; j < d; j++) {
      for (let k = 0; k < ctrl.length; k++) scratch[k] = x[ctrl[k] * d + j];
      const med = medianInPlace(scratch, ctrl.length);
      const col = new Float64Array(ctrl.length);
      for (let k = 0; k < ctrl.length; k++) col[k] = x[ctrl[k] * d + j];
      center[j] = med;
      scale[j] = MAD_SCALE * mad(col, med) + eps;
    }
  };
  const noControl: string[] = [];
  let zeroMad = 0;
  for (
    const [plate, idx] of [...byPlate.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  ) {
    const ctrl = idx.filter((i) => table.rows[i].compound === control);
    if (ctrl.length === 0) {
      noControl.push(plate);
      fit(pooled);
    } else fit(ctrl);
    for (let j = 0; j < d; j++) if (scale[j] === eps) zeroMad++;
    for (const i of idx) {
      const o = i * d;
      for (let j = 0; j < d; j++) out[o + j] = (x[o + j] - center[j]) / scale[j];
    }
  }
  if (noControl.length) {
    warnings.push(
      `madRobustize: plate(s) ${
        noControl.join(", ")
      } have no "${control}" rows (expected some on every plate); ` +
        `normalised against the ${pooled.length} "${control}" rows of all plates pooled`,
    );
  }
  if (zeroMad) {
    warnings.push(
      `madRobustize: ${zeroMad} (plate, feature) pair(s) have a control MAD of 0; scaled by 1/ε = ${
        1 / eps
      } as pycytominer (feature selection's drop_outliers removes such features)`,
    );
  }
  return { table: { features: [...table.features], data: out, rows: table.rows }, warnings };
}
