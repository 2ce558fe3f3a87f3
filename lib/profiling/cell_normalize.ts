/**
 * Cell-level normalisation against the negative control, before cells are aggregated (the authors'
 * `--whiten-profiles` whitens cells, fitted on DMSO cells):
 *
 *     centre  μ_g   = mean of the control cells of the cell's group g (plate, batch or all cells)
 *     z-score x' = (x − μ_g) / σ          σ² = pooled within-group variance of the control cells (+ ε·var)
 *     whiten  x' = (x − μ_g) W            W from the pooled within-group control covariance (PCA whitening)
 *
 * The centre is fitted per group (`center: "plate" | "batch" | "global"`) and the scale or whitening on the
 * control cells pooled over groups, each taken relative to its own group's centre. A group with fewer than
 * `minControls` control cells cannot give a centre: it falls back to the next coarser level (plate → batch →
 * global), and the fallback is recorded in {@link CellNormalizeResult.groups}. BBBC021's MOA wells hold
 * 0–6 DMSO cells a plate in the moa-crops sample, so per-plate centres mostly fall back.
 *
 * Whitening regularises the control covariance by a fraction `shrinkage` of its mean eigenvalue
 * (`λ + shrinkage·mean(λ)`): with fewer control cells than features (127 DMSO cells for 223 classical
 * features) the covariance is singular, and the paper's absolute ε = 1e-6 would amplify its null directions
 * a thousandfold.
 *
 * @module
 */

import { fitWhitening } from "./whiten.ts";
import { assertShape, CONTROL, type ProfileRow, type ProfileTable } from "./types.ts";

/** How cells are normalised. */
export type CellNormalization = "zscore" | "whiten";

/** The cell normalisations. */
export const CELL_NORMALIZATIONS: readonly CellNormalization[] = ["zscore", "whiten"];

/** Where control centres are fitted. */
export type CenterLevel = "global" | "batch" | "plate";

/** The centre levels, finest last. */
export const CENTER_LEVELS: readonly CenterLevel[] = ["global", "batch", "plate"];

/** Options of {@linkcode normalizeCells}. */
export interface CellNormalizeOptions {
  /** `zscore` or `whiten`. */
  method: CellNormalization;
  /** Level at which control centres are fitted (default `"global"`). */
  center?: CenterLevel;
  /** Control cells a group needs for its own centre (default 5); fewer fall back to a coarser level. */
  minControls?: number;
  /** Whitening: fraction of the mean eigenvalue added to every eigenvalue (default 0.01). */
  shrinkage?: number;
  /** z-score: fraction of a feature's variance over all cells added to its control variance (default 1e-6). */
  epsilon?: number;
  /** Compound of the control cells (default `"DMSO"`). */
  control?: string;
}

/** The centre a group of cells got. */
export interface CenterFit {
  /** The group (a plate, a batch, or `"all"`). */
  group: string;
  /** Its level. */
  level: CenterLevel;
  /** The cells it holds. */
  cells: number;
  /** Its own control cells. */
  controls: number;
  /** The level whose centre it used (its own, or a coarser one when it has too few controls). */
  usedLevel: CenterLevel;
  /** The group whose control mean it used. */
  usedGroup: string;
}

/** Result of {@linkcode normalizeCells}. */
export interface CellNormalizeResult<R extends ProfileRow> {
  /** The normalised cells (Float32Array rows, same order). */
  table: ProfileTable<R>;
  /** One entry per group at the requested level. */
  groups: CenterFit[];
  /** Control cells the scale or whitening was fitted on. */
  controls: number;
  /** Human-readable warnings (fallbacks, singular covariances). */
  warnings: string[];
}

const groupOf = (r: ProfileRow, level: CenterLevel) =>
  level === "plate" ? r.plate : level === "batch" ? r.batch : "all";

/**
 * Normalises cells against the control cells (see the module doc).
 *
 * @param table Cells with their plate, batch and compound.
 * @param options Method, centre level and regularisation.
 * @throws Error when fewer than 2 control cells exist, or the method or level is unknown.
 */
export function normalizeCells<R extends ProfileRow>(
  table: ProfileTable<R>,
  options: CellNormalizeOptions,
): CellNormalizeResult<R> {
  assertShape(table, "normalizeCells");
  const method = options.method;
  if (!CELL_NORMALIZATIONS.includes(method)) {
    throw new RangeError(
      `normalizeCells: expected method ${CELL_NORMALIZATIONS.join(" or ")}, got "${method}"`,
    );
  }
  const level = options.center ?? "global";
  if (!CENTER_LEVELS.includes(level)) {
    throw new RangeError(`normalizeCells: expected center ${CENTER_LEVELS.join(", ")}, got "${level}"`);
  }
  const control = options.control ?? CONTROL;
  const minControls = Math.max(1, options.minControls ?? 5);
  const n = table.rows.length, d = table.features.length, x = table.data;
  const isControl = table.rows.map((r) => r.compound === control);
  const controlCount = isControl.filter(Boolean).length;
  if (controlCount < 2) {
    throw new Error(
      `normalizeCells: expected at least 2 control cells (compound "${control}") to fit on, found ${controlCount} in ${n} cells`,
    );
  }
  const warnings: string[] = [];

  // Control means per group, at every level up to the requested one.
  const levels = CENTER_LEVELS.slice(0, CENTER_LEVELS.indexOf(level) + 1);
  const means = new Map<string, { sum: Float64Array; count: number }>();
  for (let i = 0; i < n; i++) {
    if (!isControl[i]) continue;
    for (const l of levels) {
      const key = `${l}:${groupOf(table.rows[i], l)}`;
      let m = means.get(key);
      if (!m) means.set(key, m = { sum: new Float64Array(d), count: 0 });
      for (let j = 0; j < d; j++) m.sum[j] += x[i * d + j];
      m.count++;
    }
  }
  // Each cell's centre: the finest level whose group has enough controls (global always has ≥ 2).
  const centreOf = new Map<string, { mean: Float64Array; level: CenterLevel; group: string }>();
  const resolve = (r: ProfileRow) => {
    const own = `${level}:${groupOf(r, level)}`;
    let c = centreOf.get(own);
    if (c) return c;
    for (let k = levels.length - 1; k >= 0; k--) {
      const l = levels[k], g = groupOf(r, l), m = means.get(`${l}:${g}`);
      if (m && (m.count >= minControls || l === "global")) {
        c = { mean: m.sum.map((s) => s / m.count), level: l, group: g };
        break;
      }
    }
    centreOf.set(own, c!);
    return c!;
  };
  const centres = table.rows.map(resolve);

  // Centred values, and the pooled within-group statistics of the controls.
  const centred = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const mu = centres[i].mean;
    for (let j = 0; j < d; j++) centred[i * d + j] = x[i * d + j] - mu[j];
  }
  const ctrl: number[] = [];
  for (let i = 0; i < n; i++) if (isControl[i]) ctrl.push(i);

  // z-scores on the pooled within-group control variance (whitening starts from them too, so that its
  // regulariser is relative to features on one scale).
  const eps = options.epsilon ?? 1e-6;
  const varCtrl = new Float64Array(d), varAll = new Float64Array(d), meanAll = new Float64Array(d);
  for (const i of ctrl) for (let j = 0; j < d; j++) varCtrl[j] += centred[i * d + j] ** 2;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) meanAll[j] += x[i * d + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) varAll[j] += (x[i * d + j] - meanAll[j]) ** 2 / n;
  for (let j = 0; j < d; j++) {
    const v = varCtrl[j] / Math.max(ctrl.length - 1, 1) + eps * varAll[j];
    const scale = v > 0 ? 1 / Math.sqrt(v) : 0;
    for (let i = 0; i < n; i++) centred[i * d + j] *= scale;
  }
  const out = new Float32Array(n * d);
  if (method === "zscore") out.set(centred);
  else {
    // PCA whitening of the pooled z-scored controls: fitWhitening centres again on their mean (≈ 0 at the
    // global level, not exactly so with group centres), which a constant shift of every cell leaves alone.
    const shrinkage = options.shrinkage ?? 0.01;
    if (ctrl.length <= d) {
      warnings.push(
        `normalizeCells: ${ctrl.length} control cells for ${d} features (fewer than features): the control ` +
          `covariance is singular and regularised by ${shrinkage} × its mean eigenvalue`,
      );
    }
    const t = fitWhitening(centred, d, ctrl, { method: "PCA", epsilon: 1e-12, shrinkage });
    const acc = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      acc.fill(0);
      for (let a = 0; a < d; a++) {
        const ca = centred[i * d + a] - t.mean[a];
        if (ca === 0) continue;
        const wo = a * d;
        for (let b = 0; b < d; b++) acc[b] += ca * t.w[wo + b];
      }
      for (let b = 0; b < d; b++) out[i * d + b] = acc[b];
    }
  }

  const groups = new Map<string, CenterFit>();
  table.rows.forEach((r, i) => {
    const g = groupOf(r, level);
    let f = groups.get(g);
    if (!f) {
      const own = means.get(`${level}:${g}`);
      const c = centres[i];
      groups.set(
        g,
        f = { group: g, level, cells: 0, controls: own?.count ?? 0, usedLevel: c.level, usedGroup: c.group },
      );
    }
    f.cells++;
  });
  const fallbacks = [...groups.values()].filter((f) => f.usedLevel !== level);
  if (fallbacks.length) {
    warnings.push(
      `normalizeCells: ${fallbacks.length} of ${groups.size} ${
        level === "batch" ? "batches" : `${level}s`
      } have fewer than ${minControls} control ` +
        `cells and were centred on a coarser level (${
          [...new Set(fallbacks.map((f) => f.usedLevel))].join(", ")
        })`,
    );
  }
  return {
    table: { features: [...table.features], data: out, rows: table.rows },
    groups: [...groups.values()],
    controls: ctrl.length,
    warnings,
  };
}
