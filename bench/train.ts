/**
 * `deno task bench train` → `bench/results/train.json`: the cost of a GAN training step (one D and one G
 * update, batch 64, 32 px) per backend and width, where the time of one step goes per kernel, our wasm
 * kernels against the stock ones on the step's own shapes, and D inference (feature extraction) speed.
 *
 * Environment: `BENCH_TRAIN_STEPS` (timed steps per case, default 3), `BENCH_TRAIN_CPU=0` skips the slow
 * cpu reference.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../lib/models/backend.ts";
import { registerWasmKernels } from "../lib/models/wasm_kernels.ts";
import { GanTrainer, trainSettings } from "../lib/models/train.ts";
import { encodeLatents } from "../lib/models/encode.ts";
import type { GanLoss } from "../lib/models/gan.ts";
import { Rng } from "../lib/models/rng.ts";

const STEPS = Number(Deno.env.get("BENCH_TRAIN_STEPS") ?? 3);
const WITH_CPU = Deno.env.get("BENCH_TRAIN_CPU") !== "0";

interface StepCase {
  backend: string;
  loss: GanLoss;
  size: number;
  width: number;
  batch: number;
  steps: number;
  secondsPerStep: number;
  stepsPerSecond: number;
}

function crops(n: number, size: number): Float32Array {
  return new Rng(1).fillUniform(new Float32Array(n * size * size * 3), -1, 1);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeSteps(
  backend: string,
  loss: GanLoss,
  size: number,
  width: number,
  batch: number,
  steps: number,
  warmUp = true,
): Promise<StepCase> {
  const trainer = new GanTrainer(
    crops(2 * batch, size),
    trainSettings({ loss, size, width, batchSize: batch }),
  );
  if (warmUp) await trainer.runStep(); // operator creation, memory growth
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await trainer.runStep();
    times.push((performance.now() - t0) / 1000);
  }
  trainer.dispose();
  const s = median(times);
  const r = {
    backend,
    loss,
    size,
    width,
    batch,
    steps,
    secondsPerStep: round(s),
    stepsPerSecond: round(1 / s),
  };
  console.error(`  ${backend} ${loss} ${size}px w=${width} batch ${batch}: ${s.toFixed(3)} s/step`);
  return r;
}

async function profileStep(loss: GanLoss, size: number, width: number, batch: number) {
  const trainer = new GanTrainer(
    crops(2 * batch, size),
    trainSettings({ loss, size, width, batchSize: batch }),
  );
  await trainer.runStep();
  const t0 = performance.now();
  const info = await tf.profile(async () => {
    await trainer.runStep();
  });
  const wall = (performance.now() - t0) / 1000;
  trainer.dispose();
  const byKernel = new Map<string, { ms: number; calls: number }>();
  const byShape = new Map<string, number>();
  for (const k of info.kernels) {
    const ms = Number(k.kernelTimeMs) || 0;
    const a = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    a.ms += ms;
    a.calls++;
    byKernel.set(k.name, a);
    if (k.name.startsWith("Conv2D") || k.name === "BatchMatMul") {
      const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
      byShape.set(key, (byShape.get(key) ?? 0) + ms);
    }
  }
  const total = [...byKernel.values()].reduce((s, a) => s + a.ms, 0);
  return {
    loss,
    size,
    width,
    batch,
    wallSeconds: round(wall),
    kernelSeconds: round(total / 1000),
    kernels: [...byKernel].sort((a, b) => b[1].ms - a[1].ms).map(([name, a]) => ({
      name,
      ms: round(a.ms),
      calls: a.calls,
      share: round(a.ms / total),
    })),
    slowestConvCalls: [...byShape].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([call, ms]) => ({
      call,
      ms: round(ms),
    })),
  };
}

/** Our gradient kernels against the forward convolution and the stock wasm ones, on D's and G's shapes. */
function kernelComparison(stock: { input?: tf.KernelConfig; matmul?: tf.KernelConfig }) {
  if (stock.input) tf.registerKernel({ ...stock.input, kernelName: "StockConv2DBackpropInput" });
  if (stock.matmul) tf.registerKernel({ ...stock.matmul, kernelName: "StockBatchMatMul" });
  const time = (f: () => tf.Tensor, n = 2) => {
    let best = Infinity;
    for (let i = 0; i < n + 1; i++) {
      const t0 = performance.now();
      const t = f();
      t.dataSync();
      if (i > 0) best = Math.min(best, performance.now() - t0);
      t.dispose();
    }
    return round(best);
  };
  const rows = [];
  // [B, H, Ci, Co, k, stride]: D's stride-2 layers and G's fused upsample convolutions (3×3) at 32 px.
  for (
    const [B, H, Ci, Co, k, s] of [[64, 32, 32, 64, 5, 2], [64, 16, 64, 128, 5, 2], [64, 8, 128, 256, 5, 2], [
      64,
      16,
      64,
      128,
      3,
      1,
    ]]
  ) {
    const x = tf.randomNormal([B, H, H, Ci]) as tf.Tensor4D,
      f = tf.randomNormal([k, k, Ci, Co]) as tf.Tensor4D;
    const y = tf.conv2d(x, f, s, "same");
    const dy = tf.randomNormal(y.shape);
    const attrs = { strides: s, pad: "same", dataFormat: "NHWC" } as const;
    const row: Record<string, unknown> = { x: x.shape, filter: f.shape, stride: s };
    row.forwardMs = time(() => tf.conv2d(x, f, s, "same"));
    row.oursFilterGradMs = time(() =>
      tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
        ...attrs,
        filterShape: f.shape,
      }) as tf.Tensor
    );
    row.oursInputGradMs = time(() =>
      tf.engine().runKernel("Conv2DBackpropInput", { dy, filter: f }, {
        ...attrs,
        inputShape: x.shape,
      }) as tf.Tensor
    );
    if (stock.input) {
      row.stockInputGradMs = time(
        () =>
          tf.engine().runKernel("StockConv2DBackpropInput", { dy, filter: f }, {
            ...attrs,
            inputShape: x.shape,
          }) as tf.Tensor,
        1,
      );
    }
    row.stockFilterGrad = "not implemented in tfjs-backend-wasm 4.22";
    rows.push(row);
    tf.dispose([x, f, y, dy]);
  }
  const mm = [];
  for (
    const [M, K, N, ta] of [[4096, 128, 100, true], [128, 4096, 100, false], [25, 36, 32768, true]] as const
  ) {
    const a = tf.randomNormal(ta ? [K, M] : [M, K]) as tf.Tensor2D,
      b = tf.randomNormal([K, N]) as tf.Tensor2D;
    const row: Record<string, unknown> = { m: M, k: K, n: N, transposeA: ta };
    row.oursMs = time(() => tf.matMul(a, b, ta, false));
    if (stock.matmul) {
      row.stockMs = time(() =>
        tf.engine().runKernel("StockBatchMatMul", { a, b }, {
          transposeA: ta,
          transposeB: false,
        }) as tf.Tensor
      );
    }
    mm.push(row);
    tf.dispose([a, b]);
  }
  return { conv: rows, matMul: mm };
}

async function inference(size: number, width: number) {
  const trainer = new GanTrainer(
    crops(64, size),
    trainSettings({ loss: "lsgan", size, width, batchSize: 64 }),
  );
  const n = 512, data = crops(n, size);
  await encodeLatents(trainer.gan, data.subarray(0, 256 * size * size * 3));
  const t0 = performance.now();
  await encodeLatents(trainer.gan, data);
  const s = (performance.now() - t0) / 1000;
  trainer.dispose();
  return { size, width, images: n, imagesPerSecond: round(n / s) };
}

function round(x: number): number {
  return Number(x.toPrecision(4));
}

/** Runs the benchmark and writes `bench/results/train.json`. */
export async function main(): Promise<unknown> {
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    host: {
      cpus: navigator.hardwareConcurrency,
      deno: Deno.version.deno,
      tfjs: tf.version.tfjs,
      os: Deno.build.os,
    },
    note: "seconds per training step = one D update on [fake; real] + one G update (batch 64); median of " +
      `${STEPS} timed steps after one warm-up; the machine may be shared, so compare within one run`,
  };
  // Stock kernels, captured before ours replace them.
  await import("@tensorflow/tfjs-backend-wasm");
  await tf.setBackend("wasm");
  const stock = {
    input: tf.getKernel("Conv2DBackpropInput", "wasm"),
    matmul: tf.getKernel("BatchMatMul", "wasm"),
  };
  const sel = await selectBackend("wasm");
  registerWasmKernels();
  results.wasm = sel;
  const steps: StepCase[] = [];
  console.error("wasm steps");
  for (const loss of ["dcgan", "lsgan", "wgan"] as const) {
    steps.push(await timeSteps("wasm", loss, 32, 1, 64, STEPS));
  }
  for (const loss of ["dcgan", "lsgan", "wgan"] as const) {
    steps.push(await timeSteps("wasm", loss, 32, 0.25, 64, STEPS));
  }
  console.error("profile");
  results.profile = [await profileStep("dcgan", 32, 1, 64), await profileStep("wgan", 32, 1, 64)];
  console.error("kernels");
  results.kernels = kernelComparison(stock);
  console.error("inference");
  results.inference = [await inference(32, 1), await inference(32, 0.25)];
  const auto = await selectBackend("auto");
  results.auto = auto;
  if (auto.name === "webgpu" || auto.name === "tensorflow") {
    for (const w of [1, 0.25]) steps.push(await timeSteps(auto.name, "dcgan", 32, w, 64, STEPS));
  }
  if (WITH_CPU) {
    await selectBackend("cpu");
    await tf.ready();
    console.error("cpu reference (slow)");
    steps.push(await timeSteps("cpu", "dcgan", 32, 0.125, 64, 1, false));
    await selectBackend("wasm");
    steps.push(await timeSteps("wasm", "dcgan", 32, 0.125, 64, STEPS)); // the same case on wasm
  }
  results.steps = steps;
  await Deno.mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await Deno.writeTextFile(
    new URL("./results/train.json", import.meta.url),
    JSON.stringify(results, null, 2) + "\n",
  );
  return results;
}

if (import.meta.main) await main();
