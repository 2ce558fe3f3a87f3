/**
 * Every figure of the report, from the pipeline's artifacts: the normalised crops, the three trained GANs,
 * the aggregated profiles and the evaluation. Each figure is written as SVG, PNG and JSON (svg.ts):
 *
 * | name                     | what                                                                          |
 * | ------------------------ | ----------------------------------------------------------------------------- |
 * | `fig1_real_vs_generated` | real crops beside samples of each GAN (one channel mapping and scaling)       |
 * | `fig2_interpolation`     | rows z₁ → z₂ per GAN, linear and spherical                                    |
 * | `fig3_algebra_<gan>`     | base, base + direction, base + 2·direction; a, b, c, a − b + c; per attribute |
 * | `fig3_algebra_measured`  | the attribute measured along each direction and along a random control        |
 * | `table1`                 | Table 1: ours beside the paper's (and the draft's) numbers                    |
 * | `training_curves`        | D and G losses per GAN                                                        |
 * | `confusion`              | NSC confusion matrices of every feature set (authors' protocol)               |
 * | `profile_map`            | treatment profiles in 2-D (PCA, UMAP), coloured by MOA                        |
 * | `realism`                | Fréchet distance and 1-NN two-sample accuracy, real versus generated cells    |
 *
 * plus `figures.json`, the list (name, title, caption, files, PNG size).
 * @module
 */
import { join } from "node:path";
import { readCrops, readCropTable } from "../imaging/crop_store.ts";
import { Gan } from "../models/gan.ts";
import { Rng } from "../models/rng.ts";
import { loadGan } from "../models/weights.ts";
import { classicalFeaturesBatch } from "../profiling/classical.ts";
import { tableFromJson } from "../profiling/table_io.ts";
import type { AggregateRow } from "../profiling/types.ts";
import {
  algebraChart,
  confusionPanel,
  type Curves,
  curvesPanel,
  grid,
  legendPanel,
  mapPanel,
  moaColors,
  notePanel,
  scorePanel,
  table1Chart,
  table1Panel,
  type Table1Row,
} from "./charts.ts";
import { pca2, umap2 } from "./embed.ts";
import {
  type AlgebraResult,
  type ImageGenerator,
  interpolate,
  measureAlgebra,
  normalLatents,
  row,
  rowNorms,
} from "./latent.ts";
import { ATTRIBUTES } from "./measure.ts";
import { autoScale, gridPanel, rowsPanel, type TileRow } from "./panels.ts";
import { frechetDistance, oneNnAccuracy, standardize } from "./realism.ts";
import { discriminatorFeatures, ganGenerator } from "./sampling.ts";
import { type Panel, stack, writeFigure, type WrittenFigure } from "./svg.ts";

/** The three GANs, in table order, with their display names. */
export const GANS = [["dcgan", "DCGAN"], ["wgan", "WGAN-GP"], ["lsgan", "LSGAN"]] as const;
/** A GAN's key. */
export type GanKey = (typeof GANS)[number][0];

/** Display names of the feature sets. */
const SET_NAMES: Record<string, string> = {
  dcgan: "DCGAN",
  wgan: "WGAN-GP",
  lsgan: "LSGAN",
  classical: "Classical",
  random: "Random D",
};

/** Input directories (artifacts of the pipeline's tasks). */
export interface FigureInputs {
  /** `normalize`: crop store, float32 in [−1, 1]. */
  crops: string;
  /** Train tasks' outputs: model/, curves.json, train.json. */
  dcgan: string;
  wgan: string;
  lsgan: string;
  /** `aggregate`: `<set>/treatments_cells.json`. */
  profiles: string;
  /** `evaluate`: table1.json, evaluation.json. */
  evaluation: string;
}

/** Settings of the figures. */
export interface FigureParams {
  seed: number;
  /** Crops per panel of Fig. 1. */
  samples: number;
  interpolationPairs: number;
  interpolationSteps: number;
  /** Latent vectors drawn per GAN and attribute for Fig. 3 (half fit, half held out). */
  algebraSamples: number;
  algebraExamples: number;
  /** Top/bottom fraction defining an attribute direction. */
  decile: number;
  /** Real and generated cells per realism comparison. */
  realismSamples: number;
  umapNeighbors: number;
  batchSize: number;
}

/** The defaults (the task's params). */
export const DEFAULT_FIGURE_PARAMS: FigureParams = {
  seed: 0,
  samples: 36,
  interpolationPairs: 2,
  interpolationSteps: 9,
  algebraSamples: 1000,
  algebraExamples: 6,
  decile: 0.1,
  realismSamples: 1000,
  umapNeighbors: 15,
  batchSize: 128,
};

/** What the figures report while they run. */
export interface FigureHooks {
  log: { info(message: string): void; warn(message: string): void };
  progress: { start(total: number, unit?: string): void; tick(n?: number): void };
  signal?: AbortSignal;
}

const QUIET: FigureHooks = { log: { info() {}, warn() {} }, progress: { start() {}, tick() {} } };

const pct = (v: number) => `${(v * 100).toFixed(0)} %`;
const fmt = (
  v: number,
  digits = 3,
) => (Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : "n/a");

/** Renders every figure into `out` (see the module documentation); returns the list written. */
export async function makeFigures(
  inputs: FigureInputs,
  out: string,
  params: Partial<FigureParams> = {},
  hooks: FigureHooks = QUIET,
): Promise<WrittenFigure[]> {
  const P = { ...DEFAULT_FIGURE_PARAMS, ...params };
  const { log, progress, signal } = hooks;
  const written: WrittenFigure[] = [];
  const done = (f: WrittenFigure) => {
    written.push(f);
    log.info(`${f.name}: ${f.width}×${f.height} px`);
    progress.tick();
  };
  progress.start(8, "figures");

  // Models and crops.
  const gans = new Map<GanKey, Gan>();
  for (const [key] of GANS) gans.set(key, await loadGan(join(inputs[key], "model")));
  const size = gans.get("lsgan")!.config.size;
  for (const [key, name] of GANS) {
    if (gans.get(key)!.config.size !== size) {
      throw new Error(
        `Cannot compare GANs of different crop sizes: ${name} makes ${
          gans.get(key)!.config.size
        } px, LSGAN ${size} px`,
      );
    }
  }
  const table = await readCropTable(inputs.crops);
  const need = Math.min(table.length, Math.max(P.samples, 2 * P.realismSamples));
  const pick = Array.from(new Rng(P.seed + 1).permutation(table.length).subarray(0, need));
  const crops = await readCrops(inputs.crops, { rows: table, indices: pick });
  if (crops.dtype !== "float32" || crops.size !== size) {
    throw new Error(
      `Cannot draw figures from '${inputs.crops}': expected normalised float32 crops of ${size} px (the GANs' size), found ${crops.dtype} ${crops.size} px`,
    );
  }
  const real = crops.data as Float32Array;
  const per = size * size * 3;
  const generators = new Map(GANS.map(([key]) => [key, ganGenerator(gans.get(key)!, P.batchSize)] as const));
  try {
    signal?.throwIfAborted();
    done(await figure1(out, real, table.length, need, size, generators, crops.normalization, P));
    signal?.throwIfAborted();
    done(await figure2(out, generators, size, P));
    signal?.throwIfAborted();
    const algebra = new Map<GanKey, AlgebraResult[]>();
    for (const [key, name] of GANS) {
      const results: AlgebraResult[] = [];
      for (const attribute of ATTRIBUTES) {
        results.push(
          await measureAlgebra(generators.get(key)!, attribute, {
            samples: P.algebraSamples,
            fraction: P.decile,
            examples: P.algebraExamples,
            seed: P.seed + 300,
            batchSize: P.batchSize,
          }),
        );
        const r = results.at(-1)!;
        const c = r.change[0];
        log.info(
          `${name} ${r.attribute}: +1·direction changes it by ${fmt(c.direction.mean)} ± ${
            fmt(c.direction.se)
          } (n ${c.direction.n}, up in ${pct(c.direction.fractionIncreased)}); random direction ${
            fmt(c.control.mean)
          } ± ${fmt(c.control.se)}`,
        );
        signal?.throwIfAborted();
      }
      algebra.set(key, results);
      written.push(await figure3(out, key, name, results, size));
    }
    done(await figure3Measured(out, algebra));
    const evaluation = JSON.parse(await Deno.readTextFile(join(inputs.evaluation, "evaluation.json")));
    const evaluated = Object.keys(evaluation).length > 0;
    if (evaluated) done(await table1Figure(out, inputs.evaluation));
    done(await curvesFigure(out, inputs));
    if (evaluated) {
      done(await confusionFigure(out, evaluation));
      done(await mapFigure(out, inputs.profiles, Object.keys(evaluation), P));
    } else {
      log.info("no MOA evaluation (fewer than 2 annotated compounds): no Table 1, confusion or map figures");
      progress.tick(3);
    }
    signal?.throwIfAborted();
    const n = Math.min(P.realismSamples, Math.floor(crops.rows.length / 2));
    done(
      await realismFigure(out, {
        realA: real.subarray(0, n * per),
        realB: real.subarray(n * per, 2 * n * per),
        n,
        size,
        gans,
        generators,
        params: P,
        log,
      }),
    );
  } finally {
    for (const g of gans.values()) g.dispose();
  }
  await Deno.writeTextFile(
    join(out, "figures.json"),
    JSON.stringify(
      written.map((f) => ({
        name: f.name,
        title: f.title,
        caption: f.caption,
        files: f.files,
        width: f.width,
        height: f.height,
      })),
      null,
      2,
    ) + "\n",
  );
  return written;
}

function channelStats(images: Float32Array, n: number, size: number) {
  const names = ["DNA", "tubulin", "actin"];
  return Object.fromEntries(names.map((c, k) => {
    let s = 0, s2 = 0;
    const m = n * size * size;
    for (let i = 0; i < m; i++) {
      const v = (images[i * 3 + k] + 1) / 2;
      s += v;
      s2 += v * v;
    }
    const mean = s / m;
    return [c, { mean, sd: Math.sqrt(Math.max(0, s2 / m - mean * mean)) }];
  }));
}

/** Fig. 1: real crops beside samples of each GAN. */
export async function figure1(
  out: string,
  real: Float32Array,
  totalCells: number,
  drawn: number,
  size: number,
  generators: ReadonlyMap<GanKey, ImageGenerator>,
  normalization: string,
  P: FigureParams,
): Promise<WrittenFigure> {
  const per = size * size * 3;
  const n = Math.min(P.samples, real.length / per);
  const columns = Math.ceil(Math.sqrt(n));
  const scale = autoScale(size);
  const panels: Panel[] = [gridPanel(real.subarray(0, n * per), n, size, { columns, scale })];
  const labels = [`Real (${n} of ${totalCells})`];
  const stats: Record<string, unknown> = { real: channelStats(real.subarray(0, n * per), n, size) };
  for (const [key, name] of GANS) {
    const g = generators.get(key)!;
    const images = await g.generate(normalLatents(n, g.latentDim, P.seed + 100), n);
    panels.push(gridPanel(images, n, size, { columns, scale }));
    labels.push(name);
    stats[key] = channelStats(images, n, size);
  }
  return writeFigure(
    out,
    "fig1_real_vs_generated",
    {
      title: "Fig. 1 — Real cells beside cells generated by each GAN",
      caption:
        `Left: ${n} real single-cell crops drawn at random (seed ${P.seed}) from the ${totalCells} normalised crops (${normalization}, ${size}×${size} px). ` +
        `Right: ${n} samples of each generator for the same latent vectors z ~ N(0, I). Channels DNA → red, tubulin → green, actin → blue; ` +
        `every panel maps [−1, 1] linearly to [0, 255] the same way, without per-image contrast stretching. Each crop is shown ${scale}× enlarged.`,
      body: stack(panels, { direction: "row", gap: 18, labels }),
    },
    {
      shown: n,
      cells: totalCells,
      drawnForFigures: drawn,
      size,
      normalization,
      mapping: { DNA: "red", tubulin: "green", actin: "blue", scale: "[-1,1] -> [0,255] linear, all panels" },
      latentSeed: P.seed + 100,
      channelMeanIntensity: stats,
    },
  );
}

/** Fig. 2: latent interpolation, linear and spherical, per GAN. */
export async function figure2(
  out: string,
  generators: ReadonlyMap<GanKey, ImageGenerator>,
  size: number,
  P: FigureParams,
): Promise<WrittenFigure> {
  const steps = Math.max(2, P.interpolationSteps);
  const sections: Panel[] = [];
  const labels: string[] = [];
  const norms: Record<string, unknown> = {};
  const d = generators.get("lsgan")!.latentDim;
  const ends = normalLatents(2 * P.interpolationPairs, d, P.seed + 200);
  for (const [key, name] of GANS) {
    const g = generators.get(key)!;
    const rows: TileRow[] = [];
    for (let p = 0; p < P.interpolationPairs; p++) {
      const a = row(ends, 2 * p, d), b = row(ends, 2 * p + 1, d);
      for (const kind of ["linear", "slerp"] as const) {
        const z = interpolate(a, b, steps, kind);
        rows.push({ label: `pair ${p + 1}, ${kind}`, images: await g.generate(z, steps), n: steps });
        if (key === "lsgan") norms[`pair${p + 1}_${kind}`] = rowNorms(z, d);
      }
    }
    sections.push(
      rowsPanel(rows, size, {
        columnLabels: Array.from(
          { length: steps },
          (_, k) => (k === 0 ? "z₁" : k === steps - 1 ? "z₂" : `t=${(k / (steps - 1)).toFixed(2)}`),
        ),
      }),
    );
    labels.push(name);
  }
  const mid = (norms["pair1_linear"] as number[] | undefined)?.[Math.floor(steps / 2)];
  const midS = (norms["pair1_slerp"] as number[] | undefined)?.[Math.floor(steps / 2)];
  return writeFigure(
    out,
    "fig2_interpolation",
    {
      title: "Fig. 2 — Interpolating between two latent vectors",
      caption:
        `For ${P.interpolationPairs} pairs of latent vectors z₁, z₂ ~ N(0, I) (${d}-d, seed ${
          P.seed + 200
        }), each generator's images along ${steps} evenly spaced points: ` +
        `linear, (1 − t)·z₁ + t·z₂, and spherical (slerp), which follows the great circle. ` +
        `The linear path leaves the shell where Gaussian samples live (pair 1: ‖z‖ ${
          fmt(norms["pair1_linear"] ? (norms["pair1_linear"] as number[])[0] : NaN)
        } at z₁, ${fmt(mid ?? NaN)} half way; slerp ${fmt(midS ?? NaN)}).`,
      body: stack(sections, { gap: 14, labels }),
    },
    { steps, pairs: P.interpolationPairs, latentDim: d, seed: P.seed + 200, normsAlongPaths: norms },
  );
}

/** The measured changes of one attribute, as short lines. */
function algebraNotes(r: AlgebraResult): string[] {
  const sign = (v: number) => (v > 0 ? "+" : "") + fmt(v);
  return [
    `measured over ${r.heldOut} held-out bases (mean ± s.e.):`,
    ...r.change.map((c) =>
      `+${c.step}·dir: ${sign(c.direction.mean)} ± ${fmt(c.direction.se, 2)}, up in ${
        pct(c.direction.fractionIncreased)
      }` +
      ` (random dir: ${sign(c.control.mean)} ± ${fmt(c.control.se, 2)})`
    ),
    `a − b + c vs c: ${sign(r.analogy.mean)} ± ${fmt(r.analogy.se, 2)}, up in ${
      pct(r.analogy.fractionIncreased)
    }`,
    `attribute sd ${fmt(r.fit.sd)}; bottom → top decile ${fmt(r.fit.bottomMean)} → ${fmt(r.fit.topMean)}`,
  ];
}

/** Fig. 3 of one GAN: the example rows of every attribute, side by side. */
export function figure3(
  out: string,
  key: string,
  name: string,
  results: readonly AlgebraResult[],
  size: number,
): Promise<WrittenFigure> {
  const sections: Panel[] = [];
  const labels: string[] = [];
  for (const r of results) {
    const ex = r.examples;
    const rows: TileRow[] = [
      ...ex.steps.map((s) => ({
        label: s.step === 0 ? "base" : `base + ${s.step}·dir`,
        images: s.images,
        n: ex.count,
      })),
      { label: "a (top decile)", images: ex.analogy.a, n: ex.count },
      { label: "b (bottom decile)", images: ex.analogy.b, n: ex.count },
      { label: "c", images: ex.analogy.c, n: ex.count },
      { label: "a − b + c", images: ex.analogy.result, n: ex.count },
    ];
    const tiles = rowsPanel(rows, size, { labelWidth: 120 });
    sections.push(stack([tiles, notePanel(algebraNotes(r), Math.max(tiles.width, 400))], { gap: 6 }));
    labels.push(r.label);
  }
  const first = results[0];
  return writeFigure(
    out,
    `fig3_algebra_${key}`,
    {
      title: `Fig. 3 — Latent vector algebra, ${name}: attribute directions found and measured`,
      caption:
        `From ${first.samples} latent vectors, ${first.fitSamples} fit each attribute's direction (mean z of the top ${
          pct(first.fraction)
        } by the measured attribute minus that of the bottom ${pct(first.fraction)}); ` +
        `columns are held-out bases. Rows: base, base + direction, base + 2·direction; then the paper's form, a − b + c, with a from the held-out top decile, b from its bottom decile. ` +
        `Below each block: the paired change of the attribute measured on the generated images (mean ± standard error) beside a random direction of the same length.`,
      body: stack(sections, { direction: "row", gap: 40, labels }),
    },
    results.map((r) => ({ ...r, examples: undefined })),
  );
}

/** The measured algebra of every GAN and attribute, as charts. */
export async function figure3Measured(
  out: string,
  algebra: ReadonlyMap<GanKey, AlgebraResult[]>,
): Promise<WrittenFigure> {
  const panels: Panel[] = [];
  const labels: string[] = [];
  const data: Record<string, unknown> = {};
  for (const attribute of ATTRIBUTES) {
    for (const [key, name] of GANS) {
      const r = algebra.get(key)!.find((x) => x.attribute === attribute.name)!;
      const rows = [
        { step: 0, kind: "direction" as const, mean: r.along[0].direction, se: 0 },
        { step: 0, kind: "control" as const, mean: r.along[0].control, se: 0 },
        ...r.change.flatMap((c, i) => [
          { step: c.step, kind: "direction" as const, mean: r.along[i + 1].direction, se: c.direction.se },
          { step: c.step, kind: "control" as const, mean: r.along[i + 1].control, se: c.control.se },
        ]),
      ];
      panels.push(await algebraChart(rows, { label: attribute.label }));
      labels.push(`${name}: ${attribute.name.replace("_", " ")}`);
      data[`${key}/${attribute.name}`] = { ...r, examples: undefined };
    }
  }
  const any = [...algebra.values()][0][0];
  return writeFigure(
    out,
    "fig3_algebra_measured",
    {
      title: "Fig. 3b — Does moving along an attribute direction change the attribute?",
      caption:
        `Mean attribute of ${any.heldOut} held-out generated cells at 0, 1 and 2 steps along the attribute direction (red) and along a random direction of the same length (grey); ` +
        `bars: ±1 standard error of the paired change from the base. Directions were fit on ${any.fitSamples} other samples (top minus bottom ${
          pct(any.fraction)
        }). ` +
        `Nucleus area: pixels of the centre nucleus segmented from the DNA channel (Otsu); tubulin content: mean tubulin intensity.`,
      body: grid(panels, GANS.length, labels),
    },
    data,
  );
}

/** Table 1, as a table and as a dot chart. */
export async function table1Figure(out: string, evaluationDir: string): Promise<WrittenFigure> {
  const t1 = JSON.parse(await Deno.readTextFile(join(evaluationDir, "table1.json"))) as {
    rows: Table1Row[];
    protocols?: Record<string, string>;
  };
  const chart = await table1Chart(t1.rows);
  const legend = legendPanel([
    { label: "ours, authors' protocol (treatment = mean of its cells)", color: "#1f77b4" },
    { label: "ours, best protocol", color: "#d62728", shape: "diamond" },
    { label: "paper (final)", color: "black", shape: "tick" },
    { label: "paper draft value", color: "#888", shape: "ring" },
  ], 1000);
  const ours = t1.rows.filter((r) => r.ours);
  const n = ours[0]?.ours?.nsc_n;
  return writeFigure(
    out,
    "table1",
    {
      title: "Table 1 — MOA classification accuracy: ours beside Goldsborough et al.",
      caption:
        `1-nearest-neighbour MOA accuracy (%) of treatment profiles: NSC (not-same-compound) and NSCB (not-same-compound-or-batch), averaged per treatment and per compound` +
        `${
          n ? ` (${n} treatments for NSC)` : ""
        }. "Paper" is the final Table 1 (NSC per compound); the draft column holds the preprint draft's values, labelled as such; ` +
        `VAE, CellProfiler and the deep-transfer rows are numbers the paper cites. Ours: the authors' protocol (each treatment the mean of its cells, no normalisation) and our best protocol (by NSC per compound; see evaluation.json).`,
      body: stack([table1Panel(t1.rows), chart, legend], { gap: 14 }),
    },
    t1,
  );
}

/** Training curves of the three GANs. */
export async function curvesFigure(out: string, inputs: FigureInputs): Promise<WrittenFigure> {
  const panels: Panel[] = [];
  const labels: string[] = [];
  const data: Record<string, unknown> = {};
  for (const [key, name] of GANS) {
    const curves = JSON.parse(await Deno.readTextFile(join(inputs[key], "curves.json"))) as Curves;
    let info: Record<string, unknown> = {};
    try {
      info = JSON.parse(await Deno.readTextFile(join(inputs[key], "train.json")));
    } catch { /* train.json is informative only */ }
    panels.push(await curvesPanel(curves));
    const steps = curves.step.length;
    labels.push(
      `${name} (${steps} steps${
        typeof info.seconds === "number" ? `, ${fmt(info.seconds as number)} s` : ""
      })`,
    );
    const last = (
      v?: number[],
    ) => (v && v.length
      ? v.slice(-Math.max(1, Math.round(v.length / 10))).reduce((a, b) => a + b, 0) /
        Math.max(1, Math.round(v.length / 10))
      : null);
    data[key] = {
      steps,
      finalDLoss: last(curves.dLoss),
      finalGLoss: last(curves.gLoss),
      finalGap: last(curves.gap),
      seconds: info.seconds ?? null,
    };
  }
  return writeFigure(
    out,
    "training_curves",
    {
      title: "Training curves",
      caption:
        "Discriminator and generator losses per step (faint: per step; solid: moving average over 2 % of the run). " +
        "DCGAN: cross-entropy; LSGAN: least squares; WGAN-GP: critic loss with its critic gap (real − fake score) and gradient penalty. " +
        "Final values (mean of the last 10 % of steps) are in the JSON.",
      body: stack(panels, { gap: 12, labels }),
    },
    data,
  );
}

interface EvalSet {
  [protocol: string]: {
    summary: Record<string, number>;
    report: { nsc: { confusion: { labels: string[]; matrix: number[][] }; per_compound: number; n: number } };
  };
}

/** NSC confusion matrices of every feature set under the authors' protocol. */
export async function confusionFigure(
  out: string,
  evaluation: Record<string, EvalSet>,
): Promise<WrittenFigure> {
  const panels: Panel[] = [];
  const labels: string[] = [];
  const data: Record<string, unknown> = {};
  for (const [set, protocols] of Object.entries(evaluation)) {
    const r = protocols["cells-mean"]?.report?.nsc;
    if (!r?.confusion) continue;
    panels.push(await confusionPanel(r.confusion.labels, r.confusion.matrix));
    labels.push(`${SET_NAMES[set] ?? set}: NSC ${pct(r.per_compound)} per compound`);
    data[set] = { protocol: "cells-mean", ...r.confusion, nsc_per_compound: r.per_compound, n: r.n };
  }
  return writeFigure(
    out,
    "confusion",
    {
      title: "Confusion matrices of MOA classification (NSC, authors' protocol)",
      caption:
        "For each feature set, the MOA of each treatment (rows) against the MOA of its nearest neighbour among treatments of other compounds (columns), " +
        "treatment profiles being the mean of their cells. Numbers: treatments; shading: fraction of the row.",
      body: grid(panels, 3, labels, 20),
    },
    data,
  );
}

/** Treatment profiles of every feature set in 2-D (PCA and UMAP), coloured by MOA. */
export async function mapFigure(
  out: string,
  profilesDir: string,
  sets: readonly string[],
  P: FigureParams,
): Promise<WrittenFigure> {
  const pcaPanels: Panel[] = [], umapPanels: Panel[] = [], labels: string[] = [];
  const data: Record<string, unknown> = {};
  let colors = new Map<string, string>();
  for (const set of sets) {
    const file = join(profilesDir, set, "treatments_cells.json");
    const t = tableFromJson<AggregateRow>(await Deno.readTextFile(file), file);
    const n = t.rows.length, d = t.features.length;
    const moas = t.rows.map((r) => r.moa ?? "none");
    if (colors.size === 0) colors = moaColors(moas);
    const pca = pca2(t.data, n, d);
    const umap = await umap2(t.data, n, d, { nNeighbors: P.umapNeighbors, seed: P.seed });
    const ev = pca.explained ?? [0, 0];
    pcaPanels.push(
      await mapPanel(pca.points, moas, colors, {
        xLabel: `PC1 (${pct(ev[0])})`,
        yLabel: `PC2 (${pct(ev[1])})`,
      }),
    );
    umapPanels.push(await mapPanel(umap.points, moas, colors, { xLabel: "UMAP 1", yLabel: "UMAP 2" }));
    labels.push(`${SET_NAMES[set] ?? set} (${n} treatments, ${d} features)`);
    data[set] = {
      treatments: t.rows.map((r, i) => ({
        compound: r.compound,
        concentration: r.concentration,
        moa: r.moa,
        pca: pca.points[i],
        umap: umap.points[i],
      })),
      pcaExplained: pca.explained,
    };
  }
  const legend = legendPanel([...colors].map(([label, color]) => ({ label, color })), 1100);
  return writeFigure(
    out,
    "profile_map",
    {
      title: "Treatment profiles in two dimensions, coloured by mechanism of action",
      caption:
        "Each dot is a treatment (compound at a concentration), its profile the mean of its cells' features, z-scored per feature. " +
        `Top row: the first two principal components (share of variance in the axis labels); bottom row: UMAP (umap-js, ${P.umapNeighbors} neighbours or fewer, seed ${P.seed}). DMSO is grey.`,
      body: stack([
        stack(pcaPanels, { direction: "row", gap: 12, labels }),
        stack(umapPanels, { direction: "row", gap: 12 }),
        legend,
      ], { gap: 10 }),
    },
    data,
  );
}

/** Everything the realism figure needs. */
export interface RealismInputs {
  realA: Float32Array;
  realB: Float32Array;
  n: number;
  size: number;
  gans: ReadonlyMap<GanKey, Gan>;
  generators: ReadonlyMap<GanKey, ImageGenerator>;
  params: FigureParams;
  log: FigureHooks["log"];
}

/** The scores of one feature space. */
export interface SpaceScores {
  space: string;
  dims: number;
  rows: {
    generator: string;
    fd: number;
    fdMean: number;
    fdCov: number;
    oneNn: number;
    oneNnReal: number;
    oneNnGenerated: number;
    imputed: number;
  }[];
}

/** FD and 1-NN of every set against `sets[0]` (real A), in one feature space. */
export function scoreSpace(
  space: string,
  names: readonly string[],
  sets: readonly Float32Array[],
  d: number,
): SpaceScores {
  const st = standardize(sets, d);
  const k = st.columns.length;
  const rows = names.slice(1).map((generator, i) => {
    const fd = frechetDistance(st.sets[0], st.sets[i + 1], k);
    const nn = oneNnAccuracy(st.sets[0], st.sets[i + 1], k);
    return {
      generator,
      fd: fd.distance,
      fdMean: fd.meanTerm,
      fdCov: fd.covTerm,
      oneNn: nn.accuracy,
      oneNnReal: nn.accuracyA,
      oneNnGenerated: nn.accuracyB,
      imputed: st.imputed[i + 1],
    };
  });
  return { space, dims: k, rows };
}

/** Realism: Fréchet distance and 1-NN accuracy between real and generated cells in several feature spaces. */
export async function realismFigure(out: string, R: RealismInputs): Promise<WrittenFigure> {
  const { n, size, params: P } = R;
  const lsgan = R.gans.get("lsgan")!;
  const randomD = new Gan(lsgan.config, undefined, P.seed + 17);
  const untrained = new Gan(lsgan.config, undefined, P.seed + 23);
  try {
    const names = ["real A", "real B (reference)"];
    const sets: Float32Array[] = [R.realA, R.realB];
    for (const [key, name] of GANS) {
      const g = R.generators.get(key)!;
      sets.push(await g.generate(normalLatents(n, g.latentDim, P.seed + 400), n));
      names.push(name);
    }
    sets.push(
      await ganGenerator(untrained, P.batchSize).generate(
        normalLatents(n, lsgan.config.latentDim, P.seed + 400),
        n,
      ),
    );
    names.push("untrained G");
    const to01 = (x: Float32Array) => x.map((v) => (v + 1) / 2);
    const classical = sets.map((x) => classicalFeaturesBatch(to01(x), n, size));
    const D = classical[0].length / n;
    const spaces: SpaceScores[] = [scoreSpace("classical", names, classical, D)];
    const encode = (gan: Gan) => Promise.all(sets.map((x) => discriminatorFeatures(gan, x, P.batchSize)));
    spaces.push(scoreSpace("random D", names, await encode(randomD), randomD.config.featureDim));
    for (const [key, name] of GANS) {
      const g = R.gans.get(key)!;
      spaces.push(scoreSpace(`D of ${name}`, names, await encode(g), g.config.featureDim));
    }
    for (const s of spaces) {
      R.log.info(
        `realism, ${s.space} (${s.dims} dims): ` +
          s.rows.map((r) => `${r.generator} FD ${fmt(r.fd)} 1-NN ${fmt(r.oneNn, 2)}`).join("; "),
      );
    }
    const panelsOf = async (s: SpaceScores) => {
      const ref = s.rows[0];
      const gen = s.rows.slice(1);
      return [
        await scorePanel(gen.map((r) => ({ generator: r.generator, value: r.fd })), {
          label: `Fréchet distance (${s.space} space) →`,
          reference: ref.fd,
          referenceLabel: "real vs real",
          width: 420,
        }),
        await scorePanel(gen.map((r) => ({ generator: r.generator, value: r.oneNn })), {
          label: "1-NN two-sample accuracy →",
          reference: 0.5,
          referenceLabel: "indistinguishable",
          domain: [0, 1],
          width: 420,
        }),
      ];
    };
    const classicalPanels = await panelsOf(spaces[0]);
    const randomPanels = await panelsOf(spaces[1]);
    const cross = spaces.slice(2).map((s) => {
      const own = s.space.replace("D of ", "");
      return `${s.space}: ` + s.rows.slice(1, 4).map((r) =>
        `${r.generator}${r.generator === own ? " (own D)" : ""} FD ${fmt(r.fd)}, 1-NN ${fmt(r.oneNn, 2)}`
      ).join("; ") +
        ` — real vs real FD ${fmt(s.rows[0].fd)}, 1-NN ${fmt(s.rows[0].oneNn, 2)}`;
    });
    const ref = spaces[0].rows[0];
    return await writeFigure(
      out,
      "realism",
      {
        title: "Realism of generated cells: Fréchet distance and 1-NN two-sample test",
        caption:
          `${n} real crops against ${n} samples of each generator (and of an untrained G, for scale). Top: the ${
            spaces[0].dims
          } classical CellProfiler-like features (of ${D}; ` +
          `finite and varying on real cells), standardised by the real cells. Middle: the 100-d latent layer of a randomly initialised discriminator, trained on nothing. ` +
          `Fréchet distance: ‖μ₁ − μ₂‖² + tr(C₁ + C₂ − 2(C₁^½C₂C₁^½)^½), biased upward at finite n, so the dashed line is two disjoint sets of ${n} real cells (classical: ${
            fmt(ref.fd)
          }). ` +
          `1-NN accuracy: leave-one-out nearest-neighbour classification of the pooled cells as real or generated (0.5: indistinguishable, 1: fully separable; real vs real ${
            fmt(ref.oneNn, 2)
          }). ` +
          `Bottom: the same in the latent space of each trained GAN's discriminator ("own D" was trained against those samples).`,
        body: stack([
          stack(classicalPanels, {
            direction: "row",
            gap: 24,
            labels: ["Classical features: Fréchet distance", "Classical features: 1-NN accuracy"],
          }),
          stack(randomPanels, {
            direction: "row",
            gap: 24,
            labels: ["Random discriminator: Fréchet distance", "Random discriminator: 1-NN accuracy"],
          }),
          notePanel(cross, 900),
        ], { gap: 16 }),
      },
      { n, size, spaces },
    );
  } finally {
    randomD.dispose();
    untrained.dispose();
  }
}
