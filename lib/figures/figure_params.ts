/**
 * What the figures are drawn from and how: the input folders (the pipeline's artifacts), the settings (the
 * `figures` task's params) and the hooks they report through.
 * @module
 */
import type { EncoderId } from "../models/registry.ts";
import type { GanKey } from "./gans.ts";

/**
 * Input directories (artifacts of the pipeline's tasks), and the training of each GAN and each model with an
 * encoder by its registry id (model/, curves.json, train.json, replicates/<seed>/: lib/models/train_run.ts).
 */
export type FigureInputs = {
  /** `normalize`: crop store, float32 in [−1, 1]. */
  crops: string;
  /** `aggregate`: `<set>/treatments_cells.json`. */
  profiles: string;
  /** `evaluate`: table1.json, evaluation.json. */
  evaluation: string;
} & Readonly<Record<GanKey | EncoderId, string>>;

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
  /** Held-out DMSO cells each treatment vector is added to (lib/figures/latent_cells.ts). */
  latentBase: number;
  /** At most this many cells of each treatment are encoded. */
  latentPerTreatment: number;
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
  latentBase: 64,
  latentPerTreatment: 100,
};

/** What the figures report while they run. */
export interface FigureHooks {
  log: { info(message: string): void; warn(message: string): void };
  progress: { start(total: number, unit?: string): void; tick(n?: number): void };
  signal?: AbortSignal;
}

/** Hooks that report nothing. */
export const QUIET: FigureHooks = { log: { info() {}, warn() {} }, progress: { start() {}, tick() {} } };
