/**
 * Line charts drawn as inline SVG strings (no chart library, no external requests): loss curves per step,
 * each series faint per step and solid as a moving average, with nice axis ticks.
 * @module
 */

/** One series of a chart. */
export interface Series {
  label: string;
  color: string;
  /** Values per x; null gaps (NaN in the source) are skipped. */
  y: readonly (number | null)[];
}

/** What to draw. */
export interface LineChartOptions {
  x: readonly number[];
  series: readonly Series[];
  /** Accessible name of the chart. */
  title: string;
  /** Unique within the page (for the clip path's id). */
  id: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** Moving-average window as a fraction of the run (default 0.02). */
  smooth?: number;
  /** Most points drawn per line (default 400). */
  maxPoints?: number;
}

/** Escapes text for SVG/HTML. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  }
  return out;
}

/** Trailing moving average over `window` values, skipping nulls. */
export function movingAverage(y: readonly (number | null)[], window: number): (number | null)[] {
  const out: (number | null)[] = [];
  let sum = 0;
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (v !== null && Number.isFinite(v)) {
      sum += v;
      n++;
    }
    const old = i - window >= 0 ? y[i - window] : null;
    if (old !== null && old !== undefined && Number.isFinite(old)) {
      sum -= old;
      n--;
    }
    out.push(n > 0 ? sum / n : null);
  }
  return out;
}

/** Indices of at most `max` evenly spaced points (always the first and last). */
export function sampleIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let k = 0; k < max; k++) out.push(Math.round((k * (n - 1)) / (max - 1)));
  return [...new Set(out)];
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[i];
}

/** Formats a tick value compactly. */
function tick(v: number): string {
  const a = Math.abs(v);
  if (a >= 10000) return `${Math.round(v / 1000)}k`;
  if (a >= 1000) return `${(v / 1000).toFixed(v % 1000 === 0 ? 0 : 1)}k`;
  return String(Number(v.toPrecision(4)));
}

/**
 * An SVG line chart (a string for `set:html`): per series a faint line per step (bucket means when there are
 * more steps than `maxPoints`) and a solid moving average. The y range covers the moving averages and the
 * central 99 % of the raw values, so a first-step spike does not flatten the rest (lines are clipped).
 */
export function lineChart(o: LineChartOptions): string {
  const W = o.width ?? 640;
  const H = o.height ?? 260;
  const m = { left: 52, right: 12, top: 10, bottom: o.xLabel ? 40 : 24 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const n = o.x.length;
  const window = Math.max(1, Math.round(n * (o.smooth ?? 0.02)));
  const idx = sampleIndices(n, o.maxPoints ?? 400);

  const smoothed = o.series.map((s) => movingAverage(s.y, window));
  // Raw values as bucket means around each sampled index.
  const raw = o.series.map((s) =>
    idx.map((i, k) => {
      const lo = k === 0 ? 0 : Math.floor((idx[k - 1] + i) / 2) + 1;
      const hi = k === idx.length - 1 ? n - 1 : Math.floor((i + idx[k + 1]) / 2);
      let sum = 0;
      let c = 0;
      for (let j = lo; j <= hi; j++) {
        const v = s.y[j];
        if (v !== null && Number.isFinite(v)) {
          sum += v;
          c++;
        }
      }
      return c ? sum / c : null;
    })
  );
  const values: number[] = [];
  for (const r of raw) for (const v of r) if (v !== null) values.push(v);
  values.sort((a, b) => a - b);
  let lo = quantile(values, 0.005);
  let hi = quantile(values, 0.995);
  for (const s of smoothed) {
    for (const v of s) {
      if (v !== null) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  if (!(hi > lo)) {
    hi = lo + 1;
    lo -= 1;
  }
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const x0 = n ? o.x[0] : 0;
  const x1 = n ? o.x[n - 1] : 1;
  const sx = (x: number) => m.left + (x1 > x0 ? ((x - x0) / (x1 - x0)) * pw : pw / 2);
  const sy = (y: number) => m.top + (1 - (y - lo) / (hi - lo)) * ph;
  const f = (v: number) => (Math.round(v * 10) / 10).toString();
  const path = (ys: readonly (number | null)[], at: (k: number) => number) => {
    let d = "";
    let pen = false;
    ys.forEach((v, k) => {
      if (v === null || !Number.isFinite(v)) {
        pen = false;
        return;
      }
      d += `${pen ? "L" : "M"}${f(sx(o.x[at(k)]))},${f(sy(v))}`;
      pen = true;
    });
    return d;
  };

  const clip = `clip-${o.id.replace(/[^A-Za-z0-9_-]/g, "-")}`;
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" ` +
      `aria-label="${esc(o.title)}" xmlns="http://www.w3.org/2000/svg">`,
    `<title>${esc(o.title)}</title>`,
    `<defs><clipPath id="${clip}"><rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}"/></clipPath></defs>`,
  );
  for (const t of niceTicks(lo, hi, 5)) {
    const y = f(sy(t));
    parts.push(
      `<line x1="${m.left}" x2="${W - m.right}" y1="${y}" y2="${y}" stroke="#e3e3e3"/>`,
      `<text x="${m.left - 6}" y="${y}" dy="0.32em" text-anchor="end" fill="#444" font-size="11">${
        tick(t)
      }</text>`,
    );
  }
  for (const t of niceTicks(x0, x1, 6)) {
    const x = f(sx(t));
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${m.top + ph}" y2="${m.top + ph + 4}" stroke="#666"/>`,
      `<text x="${x}" y="${m.top + ph + 16}" text-anchor="middle" fill="#444" font-size="11">${
        tick(t)
      }</text>`,
    );
  }
  parts.push(
    `<line x1="${m.left}" x2="${W - m.right}" y1="${m.top + ph}" y2="${m.top + ph}" stroke="#666"/>`,
    `<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + ph}" stroke="#666"/>`,
  );
  if (o.xLabel) {
    parts.push(
      `<text x="${m.left + pw / 2}" y="${H - 6}" text-anchor="middle" fill="#444" font-size="12">${
        esc(o.xLabel)
      }</text>`,
    );
  }
  if (o.yLabel) {
    parts.push(
      `<text transform="translate(12 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#444" ` +
        `font-size="12">${esc(o.yLabel)}</text>`,
    );
  }
  parts.push(`<g clip-path="url(#${clip})" fill="none" stroke-linejoin="round">`);
  o.series.forEach((s, si) => {
    parts.push(
      `<path d="${
        path(raw[si], (k) => idx[k])
      }" stroke="${s.color}" stroke-opacity="0.28" stroke-width="1"/>`,
    );
  });
  o.series.forEach((s, si) => {
    const sm = idx.map((i) => smoothed[si][i]);
    parts.push(`<path d="${path(sm, (k) => idx[k])}" stroke="${s.color}" stroke-width="2"/>`);
  });
  parts.push(`</g></svg>`);
  return parts.join("");
}
