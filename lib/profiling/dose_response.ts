/**
 * Dose response against the control: what a profile says about each dose of each compound, for data with
 * few treatments (the real-crops profile: DMSO and cycloheximide at 5, 15 and 50 µM), where NSC is not
 * defined.
 *
 * - **Unit**: the site (an image): the mean of its cells' features (NaNs skipped). Features are z-scored
 *   against the control sites of all plates pooled (median, 1.4826 · MAD; features constant over the
 *   controls, or undefined for a whole site, dropped).
 * - **Retrieval (mAP)**: each site of a dose queries the other sites of that dose (positives) among them and
 *   every control site (negatives), ranked by cosine similarity (ties: positives first); AP per query, mAP
 *   per dose. p-value against a null of `nullSize` mAPs of random rankings of the same sizes, each the mean
 *   of one independent random AP per query; p = (#{null ≥ mAP} + 1) / (nullSize + 1). (copairs'
 *   `mean_average_precision` instead shares one random AP among queries of the same sizes, a wider null.)
 *   A dose with one site has no replicate to retrieve: its mAP is null, with a note.
 * - **Null sampling**: a dose of m sites needs m · (m − 1) · nullSize random positions for exact random APs
 *   (one per query per null sample): 1.6 · 10⁹ for moa-crops' taxol dose of 394 sites, which took 30 s of the
 *   31 s of a feature set. Doses within `exactNullDraws` (default 2 · 10⁶: m ≤ 14 at nullSize 10⁴) draw them
 *   so; a larger dose draws each query's random AP from one table of `nullSize` random APs of its sizes
 *   (the same distribution up to that table's sampling: m · nullSize draws in all).
 * - **Effect size**: the Euclidean distance between the mean z-profile of the dose's sites and that of the
 *   control sites, divided by √d (≈ the RMS z-score shift per feature); `controlSpread` is the same
 *   distance for each control plate's sites against the other controls, averaged (what no effect looks like).
 * - **Ordering**: Spearman's ρ between concentration and distance over a compound's doses, and whether the
 *   distance rises strictly with concentration.
 * @module
 */
import { Rng } from "../data/rng.ts";
import { nullAveragePrecisions } from "./map.ts";
import { CONTROL, type ProfileRow, type ProfileTable, treatmentKey } from "./types.ts";

/** A cell row with its site (as in crop stores' cells.csv). */
export interface SiteCellRow extends ProfileRow {
  /** Site (image) within the well. */
  site: number;
}

/** Options of {@link doseResponse}. */
export interface DoseResponseOptions {
  /** Size of each permutation null (default 10000). */
  nullSize?: number;
  /** Seed of the nulls (default 0). */
  seed?: number;
  /** The control compound (default DMSO). */
  control?: string;
  /**
   * Most random positions a dose's null may draw for exact random APs (default 2,000,000); a larger dose
   * draws from a table of random APs (see module doc).
   */
  exactNullDraws?: number;
}

/** One dose of one compound. */
export interface DoseRecord {
  treatment: string;
  concentration: number;
  sites: number;
  cells: number;
  /** mAP of its sites retrieving each other among the controls; null with fewer than 2 sites. */
  map: number | null;
  /** Permutation p-value of the mAP. */
  p: number | null;
  /** Distance of its mean z-profile from the controls', per √feature. */
  distance: number;
  note?: string;
}

/** One compound's doses. */
export interface CompoundDoseResponse {
  compound: string;
  moa: string | null;
  doses: DoseRecord[];
  /** Spearman's ρ of distance against concentration (null with < 2 doses). */
  spearman: number | null;
  /** Whether the distance rises strictly with concentration (null with < 2 doses). */
  ordered: boolean | null;
}

/** The whole report of one feature set. */
export interface DoseResponseReport {
  unit: "site";
  control: string;
  controlSites: number;
  /** Features used (not constant over the controls). */
  features: number;
  /** Mean distance of one control plate's sites from the other controls (the no-effect level). */
  controlSpread: number | null;
  compounds: CompoundDoseResponse[];
}

interface Site {
  plate: string;
  compound: string;
  concentration: number;
  moa: string | null;
  cells: number;
  sum: Float64Array;
  /** Finite values summed per feature (cells with a NaN feature skip it). */
  count: Float64Array;
}

function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/** Spearman's rank correlation (null when either side is constant or n < 2). */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  if (x.length < 2) return null;
  const rx = ranks(x), ry = ranks(y);
  const mx = rx.reduce((a, b) => a + b, 0) / rx.length, my = ry.reduce((a, b) => a + b, 0) / ry.length;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) ** 2;
    syy += (ry[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

function median(values: Float64Array): number {
  const s = Float64Array.from(values).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Σ a². */
function squaredNorm(a: Float64Array): number {
  let aa = 0;
  for (let j = 0; j < a.length; j++) aa += a[j] * a[j];
  return aa;
}

/** Cosine similarity given both squared norms (computed as Σ a², in order: the same doubles). */
function cosine(a: Float64Array, aa: number, b: Float64Array, bb: number): number {
  let ab = 0;
  for (let j = 0; j < a.length; j++) ab += a[j] * b[j];
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

/**
 * Average precision of one query from its positives' and negatives' similarities, both sorted ascending:
 * the ranking is by similarity, descending, positives first on ties; the sum runs over positives in rank
 * order, as a full sort of the candidates would give it.
 */
function averagePrecisionSorted(pos: Float64Array, neg: Float64Array): number {
  let sum = 0, j = neg.length - 1, above = 0;
  for (let t = 0, i = pos.length - 1; i >= 0; t++, i--) {
    while (j >= 0 && neg[j] > pos[i]) {
      j--;
      above++;
    }
    sum += (t + 1) / (t + above + 1);
  }
  return sum / pos.length;
}

function meanOf(profiles: Float64Array[], d: number): Float64Array {
  const m = new Float64Array(d);
  for (const p of profiles) for (let j = 0; j < d; j++) m[j] += p[j] / profiles.length;
  return m;
}

function distance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) ** 2;
  return Math.sqrt(s / Math.max(1, a.length));
}

/** A string hash for per-dose seeds. */
function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Dose response of every compound against the control, from per-cell features (see module doc).
 *
 * @throws Error when there are no control cells.
 */
export function doseResponse(
  cells: ProfileTable<SiteCellRow>,
  options: DoseResponseOptions = {},
): DoseResponseReport {
  const control = options.control ?? CONTROL;
  const nullSize = options.nullSize ?? 10000;
  const seed = options.seed ?? 0;
  const d0 = cells.features.length;
  // Sites: the mean of their cells.
  const sites = new Map<string, Site>();
  cells.rows.forEach((r, i) => {
    const key = `${r.plate}/${r.well}/${r.site}`;
    let s = sites.get(key);
    if (!s) {
      sites.set(
        key,
        s = {
          plate: r.plate,
          compound: r.compound,
          concentration: r.concentration,
          moa: r.moa,
          cells: 0,
          sum: new Float64Array(d0),
          count: new Float64Array(d0),
        },
      );
    }
    s.cells++;
    for (let j = 0; j < d0; j++) {
      const v = cells.data[i * d0 + j];
      if (Number.isFinite(v)) {
        s.sum[j] += v;
        s.count[j]++;
      }
    }
  });
  const all = [...sites.values()];
  const controls = all.filter((s) => s.compound === control);
  if (controls.length === 0) throw new Error(`Dose response: expected ${control} cells, found none`);
  // z-scores against the pooled control sites, dropping features constant over them (or not finite).
  const raw = all.map((s) => s.sum.map((v, j) => s.count[j] > 0 ? v / s.count[j] : NaN));
  const ctrlIdx = all.map((s, i) => [s, i] as const).filter(([s]) => s.compound === control).map(([, i]) =>
    i
  );
  const keep: number[] = [], center: number[] = [], scale: number[] = [];
  for (let j = 0; j < d0; j++) {
    const col = Float64Array.from(ctrlIdx, (i) => raw[i][j]);
    const med = median(col);
    const mad = 1.4826 * median(col.map((v) => Math.abs(v - med)));
    if (mad > 1e-12 && raw.every((p) => Number.isFinite(p[j]))) {
      keep.push(j);
      center.push(med);
      scale.push(mad);
    }
  }
  const d = keep.length;
  const z = raw.map((p) => Float64Array.from(keep, (j, k) => (p[j] - center[k]) / scale[k]));
  const norm2 = z.map(squaredNorm);
  // Sites of each dose, in site order.
  const doseSites = new Map<string, Map<number, number[]>>();
  all.forEach((s, i) => {
    let byConc = doseSites.get(s.compound);
    if (!byConc) doseSites.set(s.compound, byConc = new Map());
    const list = byConc.get(s.concentration);
    if (list) list.push(i);
    else byConc.set(s.concentration, [i]);
  });
  const exactNullDraws = options.exactNullDraws ?? 2_000_000;
  const ctrlZ = ctrlIdx.map((i) => z[i]);
  const ctrlMean = meanOf(ctrlZ, d);

  // The no-effect level: each control plate against the other control plates.
  const ctrlPlates = [...new Set(ctrlIdx.map((i) => all[i].plate))];
  let controlSpread: number | null = null;
  if (ctrlPlates.length >= 2) {
    const spreads = ctrlPlates.map((plate) => {
      const inside = ctrlIdx.filter((i) => all[i].plate === plate).map((i) => z[i]);
      const rest = ctrlIdx.filter((i) => all[i].plate !== plate).map((i) => z[i]);
      return distance(meanOf(inside, d), meanOf(rest, d));
    });
    controlSpread = spreads.reduce((a, b) => a + b, 0) / spreads.length;
  }

  const compounds = [...new Set(all.filter((s) => s.compound !== control).map((s) => s.compound))].sort();
  const report: CompoundDoseResponse[] = compounds.map((compound) => {
    const byConc = doseSites.get(compound)!;
    const concs = [...byConc.keys()].sort((a, b) => a - b);
    const doses: DoseRecord[] = concs.map((concentration) => {
      const idx = byConc.get(concentration)!;
      const treatment = treatmentKey(compound, concentration);
      const record: DoseRecord = {
        treatment,
        concentration,
        sites: idx.length,
        cells: idx.reduce((a, i) => a + all[i].cells, 0),
        map: null,
        p: null,
        distance: distance(meanOf(idx.map((i) => z[i]), d), ctrlMean),
      };
      if (idx.length < 2) {
        record.note = "one site: no replicate to retrieve";
        return record;
      }
      // Each query: the other sites of the dose (positives) among them and the controls (negatives). The
      // similarities among the dose's sites are computed once per pair (cosine is exactly symmetric).
      const m = idx.length;
      // Upper triangle, row by row: (a, b) for a < b at row(a) + b − a − 1.
      const row = (a: number) => a * m - (a * (a + 1)) / 2;
      const within = new Float64Array((m * (m - 1)) / 2);
      for (let a = 0, k = 0; a < m; a++) {
        for (let b = a + 1; b < m; b++) {
          within[k++] = cosine(z[idx[a]], norm2[idx[a]], z[idx[b]], norm2[idx[b]]);
        }
      }
      const pos = new Float64Array(m - 1), neg = new Float64Array(ctrlIdx.length);
      const aps = idx.map((q, a) => {
        for (let b = 0; b < a; b++) pos[b] = within[row(b) + a - b - 1];
        pos.set(within.subarray(row(a), row(a) + m - a - 1), a);
        ctrlIdx.forEach((i, k) => (neg[k] = cosine(z[q], norm2[q], z[i], norm2[i])));
        return averagePrecisionSorted(pos.sort(), neg.sort());
      });
      const map = aps.reduce((a, b) => a + b, 0) / aps.length;
      const nPos = idx.length - 1, nTotal = nPos + ctrlIdx.length;
      const nullMap = new Float64Array(nullSize);
      if (idx.length * nPos * nullSize <= exactNullDraws) {
        idx.forEach((_, k) => {
          const one = nullAveragePrecisions(
            nPos,
            nTotal,
            nullSize,
            (seed ^ hashString(`${treatment}#${k}`)) >>> 0,
          );
          for (let s = 0; s < nullSize; s++) nullMap[s] += one[s] / idx.length;
        });
      } else {
        const table = nullAveragePrecisions(
          nPos,
          nTotal,
          nullSize,
          (seed ^ hashString(`${treatment}#table`)) >>> 0,
        );
        const rng = new Rng((seed ^ hashString(`${treatment}#draws`)) >>> 0);
        for (let k = 0; k < idx.length; k++) {
          for (let s = 0; s < nullSize; s++) nullMap[s] += table[rng.int(nullSize)] / idx.length;
        }
      }
      let above = 0;
      for (let s = 0; s < nullSize; s++) if (nullMap[s] >= map - 1e-12) above++;
      record.map = map;
      record.p = (above + 1) / (nullSize + 1);
      return record;
    });
    const rho = doses.length >= 2
      ? spearman(doses.map((x) => x.concentration), doses.map((x) => x.distance))
      : null;
    return {
      compound,
      moa: all.find((s) => s.compound === compound)!.moa,
      doses,
      spearman: rho,
      ordered: doses.length >= 2
        ? doses.every((x, i) => i === 0 || x.distance > doses[i - 1].distance)
        : null,
    };
  });
  return {
    unit: "site",
    control,
    controlSites: controls.length,
    features: d,
    controlSpread,
    compounds: report,
  };
}
