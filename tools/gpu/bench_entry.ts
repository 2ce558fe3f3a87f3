/**
 * The GPU kit's benchmark (bundled by `tools/gpu/kit.sh`, run by `tools/gpu/check.sh`): seconds per GAN
 * training step and D inference images/s on one backend, as JSON on stdout.
 *
 * Argument: JSON `{ backend, sizes, losses, batch, width, steps, inference }` (defaults: webgpu, 64 and 96
 * px, every loss, batch 64, w = 1, 3 timed steps after one warm-up step, inference at each size). A step
 * returns once its losses are read back, so the GPU has finished it.
 *
 * @module
 */
import { type BackendChoice, selectBackend } from "../../lib/models/backend.ts";
import { encodeLatents } from "../../lib/models/encode.ts";
import type { GanLoss } from "../../lib/models/gan.ts";
import { Rng } from "../../lib/models/rng.ts";
import { GanTrainer, trainSettings } from "../../lib/models/train.ts";

/** What to measure. */
export interface GpuBenchConfig {
  backend: BackendChoice;
  sizes: number[];
  losses: GanLoss[];
  batch: number;
  width: number;
  steps: number;
  inference: number[];
}

const DEFAULTS: GpuBenchConfig = {
  backend: "webgpu",
  sizes: [64, 96],
  losses: ["dcgan", "lsgan", "wgan"],
  batch: 64,
  width: 1,
  steps: 3,
  inference: [64, 96],
};

/** Parses the argument: JSON whose keys are those of {@link GpuBenchConfig}; others are an error. */
export function parseConfig(arg: string | undefined): GpuBenchConfig {
  const given = arg ? JSON.parse(arg) as Record<string, unknown> : {};
  for (const k of Object.keys(given)) {
    if (!(k in DEFAULTS)) throw new Error(`unknown key '${k}': expected ${Object.keys(DEFAULTS).join(", ")}`);
  }
  return { ...DEFAULTS, ...given } as GpuBenchConfig;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const cfg = parseConfig(Deno.args[0]);
  const backend = await selectBackend(cfg.backend);
  console.error(`backend ${backend.name}: ${backend.detail}`);
  const crops = (n: number, size: number) =>
    new Rng(1).fillUniform(new Float32Array(n * size * size * 3), -1, 1);
  const steps = [];
  for (const size of cfg.sizes) {
    for (const loss of cfg.losses) {
      const trainer = new GanTrainer(
        crops(2 * cfg.batch, size),
        trainSettings({ loss, size, width: cfg.width, batchSize: cfg.batch }),
      );
      let t0 = performance.now();
      await trainer.runStep(); // warm-up: shader compilation, memory
      const first = (performance.now() - t0) / 1000;
      const times: number[] = [];
      for (let i = 0; i < cfg.steps; i++) {
        t0 = performance.now();
        await trainer.runStep();
        times.push((performance.now() - t0) / 1000);
      }
      trainer.dispose();
      console.error(`  ${loss} ${size}px: ${median(times).toFixed(4)} s/step`);
      steps.push({ loss, size, width: cfg.width, batch: cfg.batch, firstStepSeconds: first, seconds: times });
    }
  }
  const inference = [];
  for (const size of cfg.inference) {
    const settings = trainSettings({ loss: "lsgan", size, width: cfg.width, batchSize: cfg.batch });
    const trainer = new GanTrainer(crops(2 * cfg.batch, size), settings);
    const n = 512, data = crops(n, size);
    await encodeLatents(trainer.gan, data.subarray(0, 256 * size * size * 3)); // warm-up
    const t0 = performance.now();
    await encodeLatents(trainer.gan, data);
    inference.push({
      size,
      width: cfg.width,
      images: n,
      imagesPerSecond: n / ((performance.now() - t0) / 1000),
    });
    trainer.dispose();
  }
  console.log(JSON.stringify({ backend, config: cfg, steps, inference }));
}

if (import.meta.main) {
  try {
    await main();
  } catch (e) {
    console.error(`error: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
  Deno.exit(0);
}
