/**
 * Every figure of the report, from the pipeline's artifacts: the normalised crops, the three trained GANs,
 * the aggregated profiles and the evaluation. {@link makeFigures} loads the models and crops once and draws
 * each figure, in this order, with its module; each is written as SVG, PNG and JSON (svg.ts):
 *
 * | name                     | module                | what                                                                 |
 * | ------------------------ | --------------------- | -------------------------------------------------------------------- |
 * | `fig1_real_vs_generated` | fig1_samples.ts       | real crops beside samples of each GAN (one channel mapping)          |
 * | `fig2_interpolation`     | fig2_interpolation.ts | rows z₁ → z₂ per GAN, linear and spherical                           |
 * | `fig3_algebra_<gan>`     | fig3_algebra.ts       | base, base + direction, base + 2·direction; a − b + c                |
 * | `fig3_algebra_measured`  | fig3_algebra.ts       | the attribute measured along each direction and a random one         |
 * | `table1`                 | table1_figure.ts      | Table 1: ours beside the paper's (and the draft's) numbers           |
 * | `training_curves`        | curves_figure.ts      | D and G losses per GAN                                               |
 * | `confusion`              | confusion_figure.ts   | NSC confusion matrices of every feature set (authors' protocol)      |
 * | `profile_map`            | map_figure.ts         | treatment profiles in 2-D (PCA, UMAP), coloured by MOA               |
 * | `realism`                | realism_figure.ts     | Fréchet distance and 1-NN two-sample accuracy, real vs generated    |
 * | `latent_*` (four)        | latent_figures.ts     | real cells in the encoders' latent space (latent_cells.ts measures) |
 *
 * plus `figures.json`, the list (name, title, caption, files, PNG size).
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "../data/atomic_write.ts";
import { readCrops, readCropTable } from "../imaging/crop_store.ts";
import type { CellRow } from "../imaging/shards.ts";
import { replicateDirs } from "../models/train_run.ts";
import { CONTROL } from "../profiling/types.ts";
import type { Gan } from "../models/gan.ts";
import { Rng } from "../models/rng.ts";
import { loadGan } from "../models/weights.ts";
import { confusionFigure } from "./confusion_figure.ts";
import { curvesFigure } from "./curves_figure.ts";
import { figure1, type MoaCells } from "./fig1_samples.ts";
import { figure2 } from "./fig2_interpolation.ts";
import { figure3, figure3Measured, measureAllAlgebra } from "./fig3_algebra.ts";
import {
  DEFAULT_FIGURE_PARAMS,
  type FigureHooks,
  type FigureInputs,
  type FigureParams,
  QUIET,
} from "./figure_params.ts";
import { ENCODERS, type GanKey, GANS } from "./gans.ts";
import { DEFAULT_LATENT_CELL_OPTIONS, measureModel, sampleCells } from "./latent_cells.ts";
import {
  doseFigure,
  realInterpolationFigure,
  reconstructionFigure,
  treatmentVectorFigure,
} from "./latent_figures.ts";
import { mapFigure } from "./map_figure.ts";
import { realismFigure, type SeedGenerator } from "./realism_figure.ts";
import { ganGenerator, savedGanGenerator } from "./sampling.ts";
import { stratifiedSample } from "./stratify.ts";
import type { WrittenFigure } from "./svg.ts";
import { table1Figure } from "./table1_figure.ts";

export { DEFAULT_FIGURE_PARAMS, type FigureHooks, type FigureInputs, type FigureParams, type GanKey, GANS };

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
  progress.start(8 + (ENCODERS.length ? 4 : 0), "figures");

  // Models and crops.
  const gans = new Map<GanKey, Gan>();
  for (const [key] of GANS) gans.set(key, await loadGan(join(inputs[key], "model")));
  const [firstKey, firstName] = GANS[0];
  const size = gans.get(firstKey)!.config.size;
  for (const [key, name] of GANS) {
    if (gans.get(key)!.config.size !== size) {
      throw new Error(
        `Cannot compare GANs of different crop sizes: ${name} makes ${
          gans.get(key)!.config.size
        } px, ${firstName} ${size} px`,
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
  const latentDim = generators.get(firstKey)!.latentDim;
  const seeds = new Map<GanKey, SeedGenerator[]>();
  for (const [key] of GANS) {
    const runs = await replicateDirs(inputs[key]);
    seeds.set(
      key,
      runs.map(([seed, dir], i) => ({
        seed,
        generator: i === 0
          ? generators.get(key)!
          : savedGanGenerator(join(dir, "model"), latentDim, size, P.batchSize),
      })),
    );
  }
  try {
    signal?.throwIfAborted();
    const byMoa = await realCellsByMoa(inputs.crops, table, size, P);
    done(
      await figure1(
        out,
        {
          images: real,
          total: table.length,
          drawn: need,
          size,
          normalization: crops.normalization,
          byMoa,
        },
        generators,
        P,
      ),
    );
    signal?.throwIfAborted();
    done(await figure2(out, generators, size, P));
    signal?.throwIfAborted();
    const algebra = await measureAllAlgebra(generators, P, { log, signal });
    for (const [key, name] of GANS) written.push(await figure3(out, key, name, algebra.get(key)!, size));
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
        seeds,
        params: P,
        log,
      }),
    );
  } finally {
    for (const g of gans.values()) g.dispose();
  }
  if (ENCODERS.length) {
    signal?.throwIfAborted();
    for (const f of await latentCellFigures(inputs, out, P, hooks)) done(f);
  }
  await writeFileAtomic(
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

/**
 * A few real cells of each MOA for Fig. 1 (about `samples` in all), when the crops carry at least two MOAs
 * (DMSO counts as one); otherwise undefined.
 */
async function realCellsByMoa(
  dir: string,
  table: CellRow[],
  size: number,
  P: FigureParams,
): Promise<MoaCells[] | undefined> {
  const labels = table.map((r) => r.moa ?? (r.compound === CONTROL ? CONTROL : null));
  const classes = new Set(labels.filter((l) => l !== null)).size;
  if (classes < 2) return undefined;
  const perClass = Math.max(1, Math.round(P.samples / classes));
  const strata = stratifiedSample(labels, perClass, P.seed + 5, { first: CONTROL });
  const crops = await readCrops(dir, { rows: table, indices: strata.flatMap((s) => s.indices) });
  const per = size * size * 3;
  let o = 0;
  return strata.map((s) => {
    const images = (crops.data as Float32Array).slice(o * per, (o + s.indices.length) * per);
    o += s.indices.length;
    return { moa: s.label, images, n: s.indices.length, available: s.available };
  });
}

/** The four latent-space figures of real cells, for every model with an encoder and each of its seeds. */
async function latentCellFigures(
  inputs: FigureInputs,
  out: string,
  P: FigureParams,
  hooks: FigureHooks,
): Promise<WrittenFigure[]> {
  const o = {
    ...DEFAULT_LATENT_CELL_OPTIONS,
    seed: P.seed,
    base: P.latentBase,
    perTreatment: P.latentPerTreatment,
    pairs: P.interpolationPairs,
    steps: P.interpolationSteps,
    batchSize: P.batchSize,
  };
  const cells = await sampleCells(inputs.crops, o);
  hooks.log.info(
    `latent space: ${cells.treatments.length} treatments, ${cells.dmsoFit.length} + ${cells.dmsoBase.length} DMSO cells${
      cells.dose
        ? `; dose direction of ${cells.dose.compound} (${cells.dose.concentrations.length} concentrations)`
        : ""
    }`,
  );
  const models = [];
  for (const [key, name] of ENCODERS) {
    hooks.signal?.throwIfAborted();
    const runs = await replicateDirs(inputs[key]);
    const seeds = runs.map(([seed, dir]) => ({ seed, modelDir: join(dir, "model") }));
    models.push(await measureModel(key, name, seeds, cells, o, (line) => hooks.log.info(line)));
  }
  const written = [
    await reconstructionFigure(out, models, cells.size),
    await realInterpolationFigure(out, models, cells.size, o.steps),
  ];
  if (cells.treatments.length && cells.dmsoBase.length >= 2) {
    written.push(await treatmentVectorFigure(out, models, cells.size));
  } else {
    hooks.log.info("no treatment vectors: the crops lack DMSO cells or treatments of 3 cells or more");
    hooks.progress.tick();
  }
  if (cells.dose) written.push(await doseFigure(out, models, cells.size, cells.dose, o.alphas));
  else {
    hooks.log.info("no dose direction: no compound has 2 concentrations of 3 cells or more");
    hooks.progress.tick();
  }
  return written;
}
