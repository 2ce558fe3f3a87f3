/**
 * The plot panels of the figures, each a pure function of its numbers: training curves, confusion matrices,
 * Table 1 (as a table and as a dot chart), the 2-D map of treatment profiles, realism scores and the
 * measured latent algebra. Plots use Observable Plot (plot.ts); the table and legends are drawn directly.
 * @module
 */
import { plotPanel } from "./plot.ts";
import { type Panel, stack, text } from "./svg.ts";

/** Loss curves of one training, as train tasks write them (curves.json). */
export interface Curves {
  step: number[];
  dLoss: number[];
  gLoss: number[];
  gap?: number[];
  gp?: number[];
  [series: string]: number[] | undefined;
}

const SERIES: Record<string, { label: string; color: string }> = {
  dLoss: { label: "D loss", color: "#1f77b4" },
  gLoss: { label: "G loss", color: "#d62728" },
  gap: { label: "critic gap", color: "#2ca02c" },
  gp: { label: "grad. penalty", color: "#9467bd" },
  eLoss: { label: "E loss", color: "#8c564b" },
};

/** Centred moving average over `window` points (shrinking at the ends). */
export function movingAverage(values: readonly number[], window: number): number[] {
  const h = Math.floor(Math.max(1, window) / 2);
  return values.map((_, i) => {
    let s = 0, c = 0;
    for (let j = Math.max(0, i - h); j <= Math.min(values.length - 1, i + h); j++) {
      if (Number.isFinite(values[j])) {
        s += values[j];
        c++;
      }
    }
    return c ? s / c : NaN;
  });
}

/** One training's curves: each series raw (faint) and smoothed, labelled at its end. */
export function curvesPanel(
  curves: Curves,
  options: { width?: number; height?: number } = {},
): Promise<Panel> {
  const n = curves.step.length;
  const window = Math.max(1, Math.round(n / 50));
  const rows: { step: number; series: string; raw: number; smooth: number }[] = [];
  for (const key of Object.keys(SERIES)) {
    const v = curves[key];
    if (!v || v.length !== n) continue;
    const sm = movingAverage(v, window);
    v.forEach((raw, i) => rows.push({ step: curves.step[i], series: SERIES[key].label, raw, smooth: sm[i] }));
  }
  const colors = Object.values(SERIES);
  return plotPanel((Plot) => ({
    width: options.width ?? 620,
    height: options.height ?? 200,
    marginRight: 20,
    marginLeft: 50,
    x: { label: "step", grid: true },
    y: { label: "loss", grid: true },
    color: { domain: colors.map((c) => c.label), range: colors.map((c) => c.color) },
    marks: [
      Plot.ruleY([0], { stroke: "#999" }),
      Plot.lineY(rows, { x: "step", y: "raw", stroke: "series", strokeOpacity: 0.25 }),
      Plot.lineY(rows, { x: "step", y: "smooth", stroke: "series", strokeWidth: 1.5 }),
    ],
  })).then((plot) => {
    const present = colors.filter((c) => rows.some((r) => r.series === c.label));
    const legend = legendPanel(
      present.map((c) => ({ label: c.label, color: c.color, shape: "line" as const })),
      plot.width,
    );
    return stack([plot, legend], { gap: 2 });
  });
}

/** A confusion matrix (rows: true MOA, columns: predicted), cells shaded by row fraction, counts written. */
export function confusionPanel(
  labels: readonly string[],
  matrix: readonly (readonly number[])[],
): Promise<Panel> {
  const data: { truth: string; predicted: string; count: number; fraction: number }[] = [];
  matrix.forEach((r, i) => {
    const total = r.reduce((a, b) => a + b, 0);
    r.forEach((count, j) =>
      data.push({ truth: labels[i], predicted: labels[j], count, fraction: total ? count / total : 0 })
    );
  });
  const cell = 20;
  const longest = Math.max(0, ...labels.map((l) => l.length));
  const marginLeft = Math.round(30 + longest * 6);
  const marginBottom = Math.round(30 + longest * 4.8);
  return plotPanel((Plot) => ({
    width: Math.max(marginLeft + labels.length * cell + 10, 340),
    height: marginBottom + 10 + labels.length * cell,
    marginLeft,
    marginBottom,
    marginTop: 10,
    marginRight: 10,
    x: { domain: labels, label: "predicted MOA", tickRotate: -50, tickSize: 0 },
    y: { domain: labels, label: "true MOA", tickSize: 0 },
    color: { type: "linear", domain: [0, 1], range: ["#ffffff", "#08519c"] },
    marks: [
      Plot.cell(data, { x: "predicted", y: "truth", fill: "fraction", inset: 0.5 }),
      Plot.text(data.filter((d) => d.count > 0), {
        x: "predicted",
        y: "truth",
        text: "count",
        fill: (d: { fraction: number }) => (d.fraction > 0.5 ? "white" : "black"),
      }),
      Plot.frame({ stroke: "#ccc" }),
    ],
  }));
}

/** A row of Table 1 as the `evaluate` task writes it (table1.json). */
export interface Table1Row {
  method: string;
  set: string | null;
  ours: Table1Scores | null;
  best: (Table1Scores & { protocol: string }) | null;
  /**
   * The untrained control under `best`'s protocol (GAN rows); absent from files written before replicate
   * seeds.
   */
  control?: (Table1Scores & { protocol: string }) | null;
  paper: { method: string; nsc: number; draft: number | null; source: string } | null;
}

/** The metrics of Table 1. */
export type Table1Metric =
  | "nsc_per_compound"
  | "nsc_per_treatment"
  | "nscb_per_compound"
  | "nscb_per_treatment";

/** The scores of one method under one protocol (fractions): the mean over training seeds. */
export interface Table1Scores {
  protocol?: string;
  nsc_per_compound: number;
  nsc_per_treatment: number;
  nscb_per_compound: number;
  nscb_per_treatment: number;
  nsc_n?: number;
  nscb_n?: number;
  /** Training seeds averaged (absent in files written before replicate seeds: one). */
  n_seeds?: number;
  /** Standard deviation over the seeds of each metric. */
  sd?: Partial<Record<string, number>>;
}

const pct = (
  v: number | null | undefined,
) => (v === null || v === undefined || !Number.isFinite(v) ? "–" : `${Math.round(v * 100)}`);

/** The standard deviation over seeds of `metric`, or null with one seed (or none recorded). */
export function seedSd(s: Table1Scores | null | undefined, metric: Table1Metric): number | null {
  const sd = s?.sd?.[metric];
  return s && (s.n_seeds ?? 1) > 1 && typeof sd === "number" && Number.isFinite(sd) ? sd : null;
}

/** A percentage, `± sd` over seeds where there are several: `52 ± 4`. */
function pctSd(s: Table1Scores | null | undefined, metric: Table1Metric): string {
  const sd = seedSd(s, metric);
  return sd === null ? pct(s?.[metric]) : `${pct(s?.[metric])} ± ${pct(sd)}`;
}

/**
 * Table 1 drawn as a table: the paper's NSC (final, and the draft's value labelled as such) beside ours,
 * NSC and NSCB per treatment and per compound, under the authors' protocol and our best one (± sd over
 * training seeds where there are several), the untrained control under the best protocol (when the file
 * has it) and the number of seeds.
 */
export function table1Panel(rows: readonly Table1Row[]): Panel {
  const hasControl = rows.some((r) => r.control);
  const seeds = (r: Table1Row) => r.best?.n_seeds ?? r.ours?.n_seeds ?? (r.ours || r.best ? 1 : null);
  const manySeeds = rows.some((r) => (seeds(r) ?? 1) > 1);
  const cols: {
    head: string;
    w: number;
    align?: "start";
    cell: (r: Table1Row) => string;
    muted?: boolean;
  }[] = [
    { head: "Method", w: 230, align: "start", cell: (r) => r.method },
    { head: "Paper", w: 56, cell: (r) => pct(r.paper?.nsc) },
    {
      head: "Draft",
      w: 56,
      muted: true,
      cell: (r) => (r.paper?.draft !== null && r.paper?.draft !== undefined ? `${pct(r.paper.draft)}*` : ""),
    },
    { head: "NSC/trt", w: 72, cell: (r) => pctSd(r.ours, "nsc_per_treatment") },
    { head: "NSC/cpd", w: 72, cell: (r) => pctSd(r.ours, "nsc_per_compound") },
    { head: "NSCB/trt", w: 72, cell: (r) => pctSd(r.ours, "nscb_per_treatment") },
    { head: "NSCB/cpd", w: 72, cell: (r) => pctSd(r.ours, "nscb_per_compound") },
    { head: "best NSC/cpd", w: 92, cell: (r) => pctSd(r.best, "nsc_per_compound") },
    ...(hasControl
      ? [{
        head: "control",
        w: 72,
        cell: (r: Table1Row) => (r.control ? pctSd(r.control, "nsc_per_compound") : ""),
      }]
      : []),
    { head: "best protocol", w: 200, align: "start" as const, cell: (r) => r.best?.protocol ?? "" },
    { head: "seeds", w: 48, cell: (r) => String(seeds(r) ?? "") },
  ];
  const rowH = 22, headH = 44;
  const width = cols.reduce((s, c) => s + c.w, 0);
  const parts: string[] = [];
  let x = 0;
  const xs = cols.map((c) => {
    const x0 = x;
    x += c.w;
    return x0;
  });
  // Group headers: the paper's two columns, then ours.
  parts.push(
    text(xs[1] + (cols[1].w + cols[2].w) / 2, 14, "Goldsborough et al.", {
      "text-anchor": "middle",
      "font-weight": "bold",
    }),
  );
  parts.push(
    text(
      xs[3] + (width - xs[3]) / 2,
      14,
      `ours (1-NN MOA accuracy, %${manySeeds ? "; mean ± sd over training seeds" : ""})`,
      {
        "text-anchor": "middle",
        "font-weight": "bold",
      },
    ),
  );
  parts.push(`<line x1="${xs[1] + 4}" x2="${xs[3] - 4}" y1="19" y2="19" stroke="#333"/>`);
  parts.push(`<line x1="${xs[3] + 4}" x2="${width - 4}" y1="19" y2="19" stroke="#333"/>`);
  cols.forEach((c, i) => {
    const start = c.align === "start";
    parts.push(
      text(start ? xs[i] + 4 : xs[i] + c.w / 2, 36, c.head, {
        "text-anchor": start ? "start" : "middle",
        "font-weight": "bold",
      }),
    );
  });
  parts.push(
    `<line x1="0" x2="${width}" y1="${headH - 2}" y2="${headH - 2}" stroke="#333" stroke-width="1.5"/>`,
  );
  rows.forEach((r, k) => {
    const y = headH + k * rowH;
    if (k % 2 === 1) parts.push(`<rect x="0" y="${y}" width="${width}" height="${rowH}" fill="#f3f3f3"/>`);
    cols.forEach((c, i) => {
      const start = c.align === "start";
      parts.push(
        text(start ? xs[i] + 4 : xs[i] + c.w / 2, y + 15, c.cell(r), {
          "text-anchor": start ? "start" : "middle",
          fill: c.muted ? "#888" : "black",
          "font-style": c.muted ? "italic" : "normal",
        }),
      );
    });
  });
  const end = headH + rows.length * rowH;
  parts.push(`<line x1="0" x2="${width}" y1="${end}" y2="${end}" stroke="#333" stroke-width="1.5"/>`);
  parts.push(
    text(
      0,
      end + 16,
      "* draft: the value in the preprint's draft text, before the final paper; – no number" +
        (hasControl ? "; control: the untrained discriminator under the row's best protocol." : "."),
      {
        fill: "#666",
        "font-size": 10,
      },
    ),
  );
  return { width, height: end + 22, body: parts.join("") };
}

/**
 * Table 1 as a dot chart: one panel per metric, one line per method; ours (authors' protocol: filled dot;
 * best protocol: open diamond; each with a ± sd whisker over training seeds where there are several), the
 * untrained control under the best protocol (grey cross), the paper's final number (black tick) and draft
 * (grey open circle).
 */
export function table1Chart(rows: readonly Table1Row[]): Promise<Panel> {
  const metrics = [
    ["nsc_per_treatment", "NSC per treatment"],
    ["nsc_per_compound", "NSC per compound"],
    ["nscb_per_treatment", "NSCB per treatment"],
    ["nscb_per_compound", "NSCB per compound"],
  ] as const;
  type Point = { method: string; metric: string; value: number; kind: string; sd: number | null };
  const pts: Point[] = [];
  for (const r of rows) {
    for (const [key, label] of metrics) {
      const add = (s: Table1Scores | null | undefined, kind: string) => {
        if (s) pts.push({ method: r.method, metric: label, value: s[key], kind, sd: seedSd(s, key) });
      };
      add(r.ours, "ours (authors' protocol)");
      add(r.best, "ours (best protocol)");
      add(r.control, "control");
      if (r.paper && key === "nsc_per_compound") {
        pts.push({ method: r.method, metric: label, value: r.paper.nsc, kind: "paper", sd: null });
        if (r.paper.draft !== null) {
          pts.push({ method: r.method, metric: label, value: r.paper.draft, kind: "paper draft", sd: null });
        }
      }
    }
  }
  const methods = rows.map((r) => r.method);
  const of = (kind: string) => pts.filter((p) => p.kind === kind && Number.isFinite(p.value));
  const spread = pts.filter((p) => p.sd !== null && Number.isFinite(p.value) && p.kind !== "control");
  return plotPanel((Plot) => ({
    width: 1000,
    height: 40 + methods.length * 24 + 40,
    marginLeft: 220,
    marginRight: 12,
    x: { domain: [0, 100], label: "1-NN MOA accuracy (%)", grid: true, percent: true },
    y: { domain: methods, label: null },
    fx: { domain: metrics.map((m) => m[1]), label: null },
    marks: [
      Plot.frame({ stroke: "#ddd" }),
      ...(spread.length
        ? [
          Plot.ruleY(spread, {
            y: "method",
            fx: "metric",
            x1: (p: Point) => Math.max(0, p.value - p.sd!),
            x2: (p: Point) => Math.min(1, p.value + p.sd!),
            stroke: (p: Point) => (p.kind === "ours (best protocol)" ? "#d62728" : "#1f77b4"),
            strokeOpacity: 0.6,
          }),
        ]
        : []),
      Plot.tickX(of("paper"), { x: "value", y: "method", fx: "metric", stroke: "black", strokeWidth: 2 }),
      Plot.dot(of("paper draft"), { x: "value", y: "method", fx: "metric", stroke: "#888", r: 4 }),
      ...(of("control").length
        ? [
          Plot.dot(of("control"), {
            x: "value",
            y: "method",
            fx: "metric",
            stroke: "#666",
            symbol: "times",
            r: 3.5,
          }),
        ]
        : []),
      Plot.dot(of("ours (best protocol)"), {
        x: "value",
        y: "method",
        fx: "metric",
        stroke: "#d62728",
        symbol: "diamond",
        r: 4.5,
      }),
      Plot.dot(of("ours (authors' protocol)"), {
        x: "value",
        y: "method",
        fx: "metric",
        fill: "#1f77b4",
        r: 3.5,
      }),
    ],
  }));
}

/** A legend: colour swatches (or symbols) with labels, in rows of at most `width` units. */
export function legendPanel(
  items: readonly {
    label: string;
    color: string;
    shape?: "dot" | "tick" | "ring" | "diamond" | "line" | "cross";
  }[],
  width = 900,
): Panel {
  const parts: string[] = [];
  let x = 0, y = 0;
  for (const it of items) {
    const w = 22 + it.label.length * 6.6 + 14;
    if (x > 0 && x + w > width) {
      x = 0;
      y += 18;
    }
    const cx = x + 6, cy = y + 8;
    const shape = it.shape ?? "dot";
    parts.push(
      shape === "line"
        ? `<line x1="${cx - 6}" x2="${cx + 6}" y1="${cy}" y2="${cy}" stroke="${it.color}" stroke-width="2"/>`
        : shape === "tick"
        ? `<line x1="${cx}" x2="${cx}" y1="${cy - 6}" y2="${cy + 6}" stroke="${it.color}" stroke-width="2"/>`
        : shape === "ring"
        ? `<circle cx="${cx}" cy="${cy}" r="4" fill="none" stroke="${it.color}"/>`
        : shape === "diamond"
        ? `<path d="M${cx},${cy - 5}L${cx + 5},${cy}L${cx},${cy + 5}L${
          cx - 5
        },${cy}Z" fill="none" stroke="${it.color}"/>`
        : shape === "cross"
        ? `<path d="M${cx - 4},${cy - 4}L${cx + 4},${cy + 4}M${cx - 4},${cy + 4}L${cx + 4},${
          cy - 4
        }" stroke="${it.color}" stroke-width="1.5"/>`
        : `<circle cx="${cx}" cy="${cy}" r="5" fill="${it.color}"/>`,
    );
    parts.push(text(x + 16, y + 12, it.label, { "font-size": 11 }));
    x += w;
  }
  return { width, height: y + 18, body: parts.join("") };
}

/** Colours of the MOAs (in sorted order; DMSO grey). */
export function moaColors(moas: readonly string[]): Map<string, string> {
  const palette = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
    "#ad494a",
    "#637939",
    "#7b4173",
    "#3182bd",
    "#e6550d",
    "#31a354",
  ];
  const out = new Map<string, string>();
  let k = 0;
  for (const m of [...new Set(moas)].sort()) {
    out.set(m, m === "DMSO" ? "#9a9a9a" : palette[k++ % palette.length]);
  }
  return out;
}

/** One 2-D map of treatment profiles: a dot per treatment, coloured by MOA. */
export function mapPanel(
  points: readonly [number, number][],
  moas: readonly string[],
  colors: Map<string, string>,
  options: { xLabel?: string; yLabel?: string; width?: number; height?: number } = {},
): Promise<Panel> {
  const data = points.map(([x, y], i) => ({
    x,
    y,
    color: colors.get(moas[i]) ?? "#000",
    dmso: moas[i] === "DMSO",
  }));
  return plotPanel((Plot) => ({
    width: options.width ?? 300,
    height: options.height ?? 260,
    marginLeft: 40,
    marginBottom: 34,
    inset: 10,
    x: { label: options.xLabel ?? null, ticks: 4 },
    y: { label: options.yLabel ?? null, ticks: 4 },
    marks: [
      Plot.frame({ stroke: "#ccc" }),
      Plot.dot(data, {
        x: "x",
        y: "y",
        fill: "color",
        r: (d: { dmso: boolean }) => (d.dmso ? 3 : 4.5),
        stroke: "white",
        strokeWidth: 0.5,
      }),
    ],
  }));
}

/**
 * One realism score per generator, with the real-versus-real reference and a chance line. A row with
 * `values` (one per training seed) is drawn as its mean (`value`, the bar) ± `sd` (a whisker) with a dot
 * per seed; `band` shades a target range (e.g. the goal for the spread; say so in `label`).
 */
export function scorePanel(
  rows: readonly { generator: string; value: number; sd?: number; values?: readonly number[] }[],
  options: {
    label: string;
    reference?: number;
    referenceLabel?: string;
    domain?: [number, number];
    width?: number;
    band?: [number, number];
  },
): Promise<Panel> {
  const ref = options.reference;
  const several = (r: { values?: readonly number[] }) => (r.values?.length ?? 0) > 1;
  const seeds = rows.filter(several).flatMap((r) =>
    r.values!.filter(Number.isFinite).map((value) => ({ generator: r.generator, value }))
  );
  const whiskers = rows.filter((r) => several(r) && Number.isFinite(r.value) && Number.isFinite(r.sd));
  const end = (r: { value: number; sd?: number; values?: readonly number[] }) =>
    Math.max(
      Number.isFinite(r.value) ? r.value : 0,
      several(r) ? r.value + (r.sd ?? 0) : -Infinity,
      ...(several(r) ? r.values!.filter(Number.isFinite) : []),
    );
  const label = (v: number) => String(Number(v.toPrecision(3)));
  const band = options.band;
  return plotPanel((Plot) => ({
    width: options.width ?? 320,
    height: 40 + rows.length * 26 + 36,
    marginLeft: 110,
    marginRight: seeds.length ? 96 : 40,
    x: { label: options.label, grid: true, domain: options.domain, nice: !options.domain },
    y: { domain: rows.map((r) => r.generator), label: null },
    marks: [
      ...(band
        ? [
          Plot.rectX([band], {
            x1: (b: number[]) => b[0],
            x2: (b: number[]) => b[1],
            fill: "#2ca02c",
            fillOpacity: 0.12,
          }),
        ]
        : []),
      Plot.barX(rows.filter((r) => Number.isFinite(r.value)), {
        x: "value",
        y: "generator",
        fill: "#6baed6",
      }),
      ...(whiskers.length
        ? [
          Plot.ruleY(whiskers, {
            y: "generator",
            x1: (r: { value: number; sd: number }) => r.value - r.sd,
            x2: (r: { value: number; sd: number }) => r.value + r.sd,
            stroke: "#08306b",
            strokeWidth: 1.5,
          }),
        ]
        : []),
      ...(seeds.length
        ? [Plot.dot(seeds, { x: "value", y: "generator", r: 2.5, fill: "#08306b", stroke: "white" })]
        : []),
      Plot.text(rows, {
        x: (r: { value: number }) => end(r),
        y: "generator",
        text: (r: { value: number; sd?: number; values?: readonly number[] }) =>
          !Number.isFinite(r.value)
            ? "n/a"
            : several(r) && Number.isFinite(r.sd)
            ? `${label(r.value)} ± ${Number(r.sd!.toPrecision(2))}`
            : label(r.value),
        dx: 3,
        textAnchor: "start",
      }),
      ...(ref !== undefined && Number.isFinite(ref)
        ? [
          Plot.ruleX([ref], { stroke: "#d62728", strokeDasharray: "4,3" }),
          Plot.text([ref], {
            x: (v: number) => v,
            frameAnchor: "top",
            text: () => options.referenceLabel ?? "",
            fill: "#d62728",
            dy: -2,
            lineAnchor: "bottom",
          }),
        ]
        : []),
      Plot.ruleX([0]),
    ],
  }));
}

/**
 * The measured algebra: mean attribute of the held-out bases at each step along the attribute direction and
 * along the random control direction, with ±1 standard error of the paired change.
 */
export function algebraChart(
  rows: readonly { step: number; kind: "direction" | "control"; mean: number; se: number }[],
  options: { label: string; width?: number; height?: number },
): Promise<Panel> {
  return plotPanel((Plot) => ({
    width: options.width ?? 300,
    height: options.height ?? 220,
    marginLeft: 56,
    marginRight: 70,
    x: {
      label: "steps along the direction",
      ticks: rows.map((r) => r.step).filter((v, i, a) => a.indexOf(v) === i),
      tickFormat: "d",
      inset: 8,
    },
    y: { label: options.label, grid: true },
    color: { domain: ["direction", "control"], range: ["#d62728", "#7f7f7f"] },
    marks: [
      Plot.ruleY(rows.filter((r) => r.step === 0).slice(0, 1), { y: "mean", stroke: "#ccc" }),
      Plot.link(rows, {
        x1: "step",
        x2: "step",
        y1: (r: { mean: number; se: number }) => r.mean - r.se,
        y2: (r: { mean: number; se: number }) => r.mean + r.se,
        stroke: "kind",
      }),
      Plot.lineY(rows, { x: "step", y: "mean", stroke: "kind", marker: "circle" }),
      Plot.text(
        rows,
        Plot.selectLast({
          x: "step",
          y: "mean",
          z: "kind",
          text: "kind",
          fill: "kind",
          dx: 6,
          textAnchor: "start",
        }),
      ),
    ],
  }));
}

/** Panels in a grid of `columns`. */
export function grid(panels: readonly Panel[], columns: number, labels?: readonly string[], gap = 16): Panel {
  const rows: Panel[] = [];
  for (let i = 0; i < panels.length; i += columns) {
    rows.push(
      stack(panels.slice(i, i + columns), { direction: "row", gap, labels: labels?.slice(i, i + columns) }),
    );
  }
  return stack(rows, { gap });
}

/** An SVG note (small grey text) as a panel. */
export function notePanel(lines: readonly string[], width = 900): Panel {
  return {
    width,
    height: lines.length * 15 + 4,
    body: lines.map((l, i) => text(0, 12 + i * 15, l, { "font-size": 11, fill: "#444" })).join(""),
  };
}
