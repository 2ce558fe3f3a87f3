/**
 * `deno task bench webgpu` → `bench/results/webgpu.json`: a GAN training step on the webgpu backend, kernel by
 * kernel, before and after our webgpu work ({@link ../lib/models/webgpu/mod.ts}: the filter gradient by taps,
 * fused Adam and LeakyReLU gradient; and the next step's random draws made while the device computes).
 *
 * For each size and loss: seconds per step with everything stock and with ours (median of the timed steps
 * after one warm-up step, which compiles the shaders), the step's kernels (count and, where the adapter has
 * `timestamp-query`, milliseconds per kernel name, from `tf.profile`), and the CPU time of one step's random
 * draws at the same batch (what drawing ahead hides behind the device's work). On a machine without a GPU
 * the adapter is Mesa's lavapipe: the figures are then a CPU's, useful for the kernel counts and relative
 * costs, not as GPU speeds; the GPU figures come from `tools/gpu/check.sh`.
 *
 * Environment: `BENCH_WEBGPU_SIZES` (default "64,96"), `BENCH_WEBGPU_BATCH` (default 64 on a hardware
 * adapter, 8 on a software one), `BENCH_WEBGPU_LOSSES` (default "dcgan,lsgan,wgan"), `BENCH_WEBGPU_STEPS`
 * (timed steps, default 3 on hardware, 1 on software).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { probeWebGpu, selectBackend } from "../lib/models/backend.ts";
import type { GanLoss } from "../lib/models/gan.ts";
import { Rng } from "../lib/models/rng.ts";
import { drawAhead, GanTrainer, trainSettings } from "../lib/models/train.ts";
import { tuning } from "../lib/models/wasm/mod.ts";
import { webgpuKernels } from "../lib/models/webgpu/mod.ts";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Our webgpu levers all on or all off. */
function levers(on: boolean): void {
  webgpuKernels.filterGradByTaps = on;
  tuning.fusedAdam = on;
  tuning.fusedLeakyRelu = on;
  tuning.detachedMask = on;
  drawAhead.enabled = on;
}

interface KernelRow {
  name: string;
  count: number;
  ms: number | null;
}

async function measure(loss: GanLoss, size: number, batch: number, steps: number) {
  const crops = new Rng(1).fillUniform(new Float32Array(2 * batch * size * size * 3), -1, 1);
  const trainer = new GanTrainer(crops, trainSettings({ loss, size, width: 1, batchSize: batch }));
  let t0 = performance.now();
  await trainer.runStep();
  const firstStepSeconds = (performance.now() - t0) / 1000;
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    t0 = performance.now();
    await trainer.runStep();
    times.push((performance.now() - t0) / 1000);
  }
  const profile = await tf.profile(async () => {
    await trainer.runStep();
  });
  trainer.dispose();
  const rows = new Map<string, KernelRow>();
  for (const k of profile.kernels) {
    const row = rows.get(k.name) ?? { name: k.name, count: 0, ms: 0 };
    row.count++;
    row.ms = typeof k.kernelTimeMs === "number" && row.ms !== null ? row.ms + k.kernelTimeMs : null;
    rows.set(k.name, row);
  }
  const kernels = [...rows.values()].sort((a, b) => (b.ms ?? 0) - (a.ms ?? 0) || b.count - a.count);
  for (const r of kernels) if (r.ms !== null) r.ms = Math.round(r.ms * 100) / 100;
  return {
    firstStepSeconds,
    secondsPerStep: median(times),
    seconds: times,
    kernelCount: profile.kernels.length,
    kernels,
  };
}

/** CPU milliseconds of one step's random draws at this size and batch (the same draws as `GanTrainer`'s). */
function drawMs(size: number, batch: number): number {
  const rng = new Rng(1), px = size * size * 3, times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    rng.fillNormal(new Float32Array(batch * 100));
    rng.fillNormal(new Float32Array(2 * batch * px), 0.1);
    rng.fillNormal(new Float32Array(batch * 100));
    rng.fillNormal(new Float32Array(batch * px), 0.1);
    times.push(performance.now() - t0);
  }
  return Math.round(median(times) * 10) / 10;
}

/** Runs the benchmark and writes `bench/results/webgpu.json`. */
export async function main() {
  const probe = await probeWebGpu();
  if (!probe.available) throw new Error(`no WebGPU adapter (${probe.detail}): install mesa-vulkan-drivers`);
  const backend = await selectBackend("webgpu");
  const env = (k: string) => Deno.env.get(k);
  const sizes = (env("BENCH_WEBGPU_SIZES") ?? "64,96").split(",").map(Number);
  const batch = Number(env("BENCH_WEBGPU_BATCH") ?? (probe.hardware ? 64 : 8));
  const losses = (env("BENCH_WEBGPU_LOSSES") ?? "dcgan,lsgan,wgan").split(",") as GanLoss[];
  const steps = Number(env("BENCH_WEBGPU_STEPS") ?? (probe.hardware ? 3 : 1));
  const cases = [];
  for (const size of sizes) {
    for (const loss of losses) {
      const row: Record<string, unknown> = { loss, size, batch, width: 1 };
      for (const [label, on] of [["stock", false], ["ours", true]] as const) {
        levers(on);
        row[label] = await measure(loss, size, batch, steps);
        const r = row[label] as Awaited<ReturnType<typeof measure>>;
        console.error(
          `  ${loss} ${size}px batch ${batch} ${label}: ${
            r.secondsPerStep.toFixed(3)
          } s/step, ${r.kernelCount} kernels`,
        );
      }
      const [a, b] = [row.stock, row.ours] as Awaited<ReturnType<typeof measure>>[];
      row.speedup = Math.round((a.secondsPerStep / b.secondsPerStep) * 100) / 100;
      cases.push(row);
    }
  }
  levers(true);
  const draws = sizes.map((size) => ({ size, batch: 64, cpuMs: drawMs(size, 64) }));
  const result = {
    date: new Date().toISOString().slice(0, 10),
    adapter: backend.detail,
    hardware: probe.hardware,
    note: probe.hardware
      ? "a hardware adapter"
      : "a software adapter (lavapipe, on the CPU): kernel counts and relative costs, not GPU speeds",
    cases,
    draws,
  };
  const out = new URL("./results/webgpu.json", import.meta.url);
  await Deno.writeTextFile(out.pathname + ".tmp", JSON.stringify(result, null, 2) + "\n");
  await Deno.rename(out.pathname + ".tmp", out);
  return {
    adapter: result.adapter,
    cases: cases.map((c) => ({ loss: c.loss, size: c.size, speedup: c.speedup })),
    draws,
  };
}
