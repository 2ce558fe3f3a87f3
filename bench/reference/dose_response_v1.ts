/**
 * The dose-response implementation before its speed-up (lib/profiling/dose_response.ts as of commit 6539bde),
 * kept unchanged but for this header, the imports' paths and a copy of map.ts's nullAveragePrecisions as it was, so that bench/dose_response.ts can time the
 * speed-up against it and lib/profiling/dose_response_test.ts can check that the results did not change.
 * Not used by the pipeline.
 *
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
 *   of one random AP per query (copairs' `mean_average_precision`); p = (#{null ≥ mAP} + 1) / (nullSize + 1).
 *   A dose with one site has no replicate to retrieve: its mAP is null, with a note.
 * - **Effect size**: the Euclidean distance between the mean z-profile of the dose's sites and that of the
 *   control sites, divided by √d (≈ the RMS z-score shift per feature); `controlSpread` is the same
 *   distance for each control plate's sites against the other controls, averaged (what no effect looks like).
 * - **Ordering**: Spearman's ρ between concentration and distance over a compound's doses, and whether the
 *   distance rises strictly with concentration.
 * @module
 */
import { Rng } from "../../lib/data/rng.ts";
import { CONTROL, type ProfileTable, treatmentKey } from "../../lib/profiling/types.ts";
import type {
  CompoundDoseResponse,
  DoseRecord,
  DoseResponseOptions,
  DoseResponseReport,
  SiteCellRow,
} from "../../lib/profiling/dose_response.ts";

/** lib/profiling/map.ts's nullAveragePrecisions as of commit 6539bde. */
function nullAveragePrecisions(nPos: number, nTotal: number, size: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const perm = new Int32Array(nTotal);
  for (let i = 0; i < nTotal; i++) perm[i] = i;
  const pos = new Int32Array(nPos);
  const out = new Float64Array(size);
  for (let s = 0; s < size; s++) {
    for (let k = 0; k < nPos; k++) {
      const r = k + rng.int(nTotal - k);
      const t = perm[k];
      perm[k] = perm[r];
      perm[r] = t;
      pos[k] = perm[k];
    }
    pos.sort();
    let sum = 0;
    for (let k = 0; k < nPos; k++) sum += (k + 1) / (pos[k] + 1);
    out[s] = sum / nPos;
  }
  return out;
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
function spearman(x: readonly number[], y: readonly number[]): number | null {
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

function cosine(a: Float64Array, b: Float64Array): number {
  let ab = 0, aa = 0, bb = 0;
  for (let j = 0; j < a.length; j++) {
    ab += a[j] * b[j];
    aa += a[j] * a[j];
    bb += b[j] * b[j];
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
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
export function doseResponseV1(
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
    const concs = [...new Set(all.filter((s) => s.compound === compound).map((s) => s.concentration))]
      .sort((a, b) => a - b);
    const doses: DoseRecord[] = concs.map((concentration) => {
      const idx = all.map((s, i) => [s, i] as const)
        .filter(([s]) => s.compound === compound && s.concentration === concentration).map(([, i]) => i);
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
      // Each query: the other sites of the dose (positives) among them and the controls (negatives).
      const aps = idx.map((q) => {
        const candidates = [
          ...idx.filter((i) => i !== q).map((i) => ({ sim: cosine(z[q], z[i]), pos: true })),
          ...ctrlIdx.map((i) => ({ sim: cosine(z[q], z[i]), pos: false })),
        ].sort((a, b) => b.sim - a.sim || Number(b.pos) - Number(a.pos));
        let tp = 0, sum = 0;
        candidates.forEach((c, k) => {
          if (c.pos) sum += ++tp / (k + 1);
        });
        return sum / tp;
      });
      const map = aps.reduce((a, b) => a + b, 0) / aps.length;
      const nPos = idx.length - 1, nTotal = nPos + ctrlIdx.length;
      const nullMap = new Float64Array(nullSize);
      idx.forEach((_, k) => {
        const one = nullAveragePrecisions(
          nPos,
          nTotal,
          nullSize,
          (seed ^ hashString(`${treatment}#${k}`)) >>> 0,
        );
        for (let s = 0; s < nullSize; s++) nullMap[s] += one[s] / idx.length;
      });
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
