/**
 * What the figures are drawn from and how: the input folders (the pipeline's artifacts), the settings (the
 * `figures` task's params) and the hooks they report through.
 * @module
 */
import type { GanKey } from "./gans.ts";

/**
 * Input directories (artifacts of the pipeline's tasks), and each GAN's training by its registry id
 * (model/, curves.json, train.json, replicates/<seed>/: lib/models/train_run.ts).
 */
export type FigureInputs = {
  /** `normalize`: crop store, float32 in [−1, 1]. */
  crops: string;
  /** `aggregate`: `<set>/treatments_cells.json`. */
  profiles: string;
  /** `evaluate`: table1.json, evaluation.json. */
  evaluation: string;
} & Readonly<Record<GanKey, string>>;

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

/** Hooks that report nothing. */
export const QUIET: FigureHooks = { log: { info() {}, warn() {} }, progress: { start() {}, tick() {} } };
