/**
 * One training run written to a folder, the layout the train tasks publish and the figures, `extract` and
 * `deno task embed` read:
 *
 * ```
 * model/            final weights (tfjs format: model.json + weights.bin), G and D
 * curves.json       per step: D loss, G loss (and for WGAN the critic gap and gradient penalty)
 * samples/          PNG grids of G's samples of a fixed z every `sampleEvery` steps, and final.png
 * train.json        settings, the backend's name, cells used, steps
 * ```

 * Only what the inputs, params and code decide is written: the timing, the resume point and the backend's
 * description of the machine are returned ({@link TrainRunFacts}) for the task to record in its manifest, so
 * that a resumed or forced training that reproduces the same weights writes the same bytes.
 *
 * Replicate trainings (other seeds of the same settings) are written the same way below
 * `replicates/<seed>/` of the first one's folder ({@link replicateDirs}).
 * @module
 */
import { join } from "node:path";
import { imageGridPng } from "../figures/image_grid.ts";
import { train, type TrainOptions } from "./train.ts";
import { saveGan } from "./weights.ts";
import { writeFileAtomic } from "../data/atomic_write.ts";
import { replicateDir, REPLICATES, replicateSeeds } from "../data/replicates.ts";

export { REPLICATES };

/** What a run records beside its settings (train.json). */
export interface TrainRunInfo {
  /** the backend that ran it (its name goes to train.json; why and on what device, to the facts) */
  backend: { name: string };
  /** cells trained on */
  cells: number;
  /** how the crops were normalised */
  normalization: string;
}

/** Facts of one training that are not outputs: wall-clock time and where it resumed. */
export interface TrainRunFacts {
  /** seconds of this call's training loop */
  seconds: number;
  stepsPerSecond: number;
  /** steps run in this call (fewer than `steps` when resumed) */
  stepsRun: number;
  /** the step a checkpoint resumed from, or null */
  resumedFrom: number | null;
  /** seconds of training summed over every session that led to it (resumed ones included) */
  totalSeconds: number;
}

/** Progress of {@link trainRun}. */
export interface TrainRunHooks {
  onStep?: (step: number, note: string) => void;
  log?: (line: string) => void;
}

/**
 * Trains one GAN on `crops` and writes the run's folder `out` (see the module doc). `options.checkpointDir`
 * makes it resumable.
 */
export async function trainRun(
  crops: Float32Array,
  options: TrainOptions & { sampleCount: number; sampleEvery: number },
  out: string,
  info: TrainRunInfo,
  hooks: TrainRunHooks = {},
): Promise<TrainRunFacts> {
  await Deno.mkdir(join(out, "samples"), { recursive: true });
  // Sample grids go beside the checkpoint, which outlives a killed attempt, and join the output at the end:
  // a resumed training publishes the grids of the steps before its resumption too, the same bytes as a
  // training that never stopped (a grid redrawn after a resumption is redrawn identically).
  const samples = options.checkpointDir ? join(options.checkpointDir, "samples") : join(out, "samples");
  await Deno.mkdir(samples, { recursive: true });
  const scale = Math.max(1, Math.round(64 / options.size));
  const t0 = performance.now();
  const result = await train(crops, {
    ...options,
    onProgress(pr) {
      hooks.onStep?.(
        pr.step,
        `${options.loss === "vae" ? "recon" : "D"} ${pr.dLoss.toFixed(3)}  ${
          options.loss === "vae" ? "KL" : "G"
        } ${pr.gLoss.toFixed(3)}${pr.gap !== undefined ? `  gap ${pr.gap.toFixed(3)}` : ""}${
          pr.eLoss !== undefined ? `  E ${pr.eLoss.toFixed(3)}` : ""
        }`,
      );
    },
    async onSamples(step, images, shape) {
      await writeFileAtomic(
        join(samples, `step_${String(step).padStart(6, "0")}.png`),
        imageGridPng(images, shape[0], shape[1], { scale, columns: 8 }),
      );
    },
  });
  try {
    if (result.resumedFrom !== null) hooks.log?.(`resumed from the checkpoint at step ${result.resumedFrom}`);
    const seconds = (performance.now() - t0) / 1000;
    await saveGan(result.gan, join(out, "model"));
    if (samples !== join(out, "samples")) {
      for await (const e of Deno.readDir(samples)) {
        if (e.isFile && /^step_\d+\.png$/.test(e.name)) {
          await Deno.copyFile(join(samples, e.name), join(out, "samples", e.name));
        }
      }
    }
    const last = `step_${String(options.steps).padStart(6, "0")}.png`;
    await Deno.copyFile(join(out, "samples", last), join(out, "samples", "final.png"));
    // The curves without their wall-clock column (it stays in the checkpoint, for resumed sessions' totals).
    const { seconds: elapsed, ...curves } = result.curves;
    await Deno.writeTextFile(join(out, "curves.json"), JSON.stringify(curves) + "\n");
    await Deno.writeTextFile(
      join(out, "train.json"),
      JSON.stringify(
        {
          loss: options.loss,
          settings: result.settings,
          backend: { name: info.backend.name },
          cells: info.cells,
          size: options.size,
          normalization: info.normalization,
          steps: options.steps,
        },
        null,
        2,
      ) + "\n",
    );
    return {
      seconds,
      stepsPerSecond: result.stepsRun / Math.max(result.seconds, 1e-9),
      stepsRun: result.stepsRun,
      resumedFrom: result.resumedFrom,
      totalSeconds: elapsed.at(-1) ?? seconds,
    };
  } finally {
    result.gan.dispose();
  }
}

/**
 * The run folders of a train task's output: the first seed's (the output itself) then each replicate's, as
 * `[seed, folder]` in seed order. A folder without replicates gives just the first.
 */
export async function replicateDirs(dir: string): Promise<[number, string][]> {
  let first: number;
  try {
    first = JSON.parse(await Deno.readTextFile(join(dir, "train.json"))).settings.seed;
  } catch {
    first = 0;
  }
  return [
    [first, dir],
    ...(await replicateSeeds(dir)).map((s) => [s, replicateDir(dir, s)] as [number, string]),
  ];
}
