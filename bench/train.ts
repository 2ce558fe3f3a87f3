/**
 * `deno task bench train` → `bench/results/train.json`: seconds per GAN training step (one D update on
 * [fake; real] + one G update) for each loss at 32, 48, 64 and 96 px, batch 32 and 64, w = 1 (the paper's
 * network), on the wasm backend (one thread); in the same run, when `/usr/bin/python3` has torch, PyTorch
 * CPU on one thread running the same network, losses and step (`bench/train_torch.py`), and the ratio.
 * Also: D inference (feature extraction, `encodeLatents`) images/s per size, our kernels before/after on a
 * 64 px step and on its convolution shapes, a per-kernel profile, and the machine's load.
 *
 * Each case: one first step (warm-up, reported), then timed steps until 3 or until they took
 * `BENCH_TRAIN_BUDGET` seconds (default 12; at least 1): the median. Environment: `BENCH_TRAIN_SIZES`
 * (default "32,48,64,96"), `BENCH_TRAIN_TORCH=0` skips PyTorch.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../lib/models/backend.ts";
import { registerWasmKernels, tuning } from "../lib/models/wasm_kernels.ts";
import { GanTrainer, trainSettings } from "../lib/models/train.ts";
import { encodeLatents } from "../lib/models/encode.ts";
import type { GanLoss } from "../lib/models/gan.ts";
import { Rng } from "../lib/models/rng.ts";

const MAX_STEPS = 3;
const BUDGET = Number(Deno.env.get("BENCH_TRAIN_BUDGET") ?? 12);
const SIZES = (Deno.env.get("BENCH_TRAIN_SIZES") ?? "32,48,64,96").split(",").map(Number);
const BATCHES = [32, 64];
const LOSSES = ["dcgan", "lsgan", "wgan"] as const;
const WITH_TORCH = Deno.env.get("BENCH_TRAIN_TORCH") !== "0";
const PYTHON = "/usr/bin/python3";

interface StepCase {
  backend: string;
  loss: GanLoss;
  size: number;
  width: number;
  batch: number;
  steps: number;
  firstStepSeconds: number;
  secondsPerStep: number;
}

function crops(n: number, size: number): Float32Array {
  return new Rng(1).fillUniform(new Float32Array(n * size * size * 3), -1, 1);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One warm-up step, then up to MAX_STEPS timed steps within BUDGET seconds (at least one): the median. */
async function timeSteps(
  backend: string,
  loss: GanLoss,
  size: number,
  width: number,
  batch: number,
): Promise<StepCase> {
  const trainer = new GanTrainer(
    crops(2 * batch, size),
    trainSettings({ loss, size, width, batchSize: batch }),
  );
  let t0 = performance.now();
  await trainer.runStep(); // operator creation, memory growth
  const first = (performance.now() - t0) / 1000;
  const times: number[] = [];
  while (times.length < MAX_STEPS && (times.length === 0 || times.reduce((a, b) => a + b, 0) < BUDGET)) {
    t0 = performance.now();
    await trainer.runStep();
    times.push((performance.now() - t0) / 1000);
  }
  trainer.dispose();
  const s = median(times);
  console.error(
    `  ${backend} ${loss} ${size}px w=${width} batch ${batch}: ${s.toFixed(3)} s/step (${times.length})`,
  );
  return {
    backend,
    loss,
    size,
    width,
    batch,
    steps: times.length,
    firstStepSeconds: round(first),
    secondsPerStep: round(s),
  };
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

/** Forces our GEMM formulations on for every shape, or off, for the per-shape kernel comparison. */
function gemmPaths(on: boolean): void {
  Object.assign(
    tuning,
    DEFAULT_TUNING,
    on
      ? { filterGemmMinCo: 1, filterGemmMinPixels: 0, filterGemmStride1Only: false, im2colMaxCi: 4 }
      : { filterGemmMinCo: Infinity, im2colMaxCi: 0 },
  );
}
const DEFAULT_TUNING = { ...tuning };
/** The kernels before the current optimisations: no GEMM paths, stock Identity / Cast / LeakyRelu / Sum / Mean, unfused Adam. */
const PREVIOUS_TUNING = {
  ...DEFAULT_TUNING,
  filterGemmMinCo: Infinity,
  im2colMaxCi: 0,
  filterChunkFloats: 0,
  shareIdentity: false,
  fusedLeakyRelu: false,
  leadingReductions: false,
  fusedAdam: false,
};

/**
 * The convolutions of a 64 px, batch 64 step (D on [fake; real] = 128 images; G's fused upsample
 * convolutions as 3×3 convolutions to 4·Co): forward, filter and input gradient, each in both forms
 * ("before": stock XNNPACK forward, transposed dilated convolution for the filter gradient; "after": im2col
 * GEMM for 3-channel inputs, im2colᵀ·dy GEMMs for the filter gradient, forced for every shape). The
 * defaults pick per shape from such measurements (wasm_kernels.ts `tuning`).
 */
function kernelComparison(matmulStock?: tf.KernelConfig) {
  if (matmulStock) tf.registerKernel({ ...matmulStock, kernelName: "StockBatchMatMul" });
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
  // [B, H, Ci, Co, k, stride]
  for (
    const [B, H, Ci, Co, k, s] of [
      [128, 64, 3, 32, 5, 1],
      [128, 64, 32, 64, 5, 2],
      [128, 32, 64, 128, 5, 2],
      [128, 16, 128, 256, 5, 2],
      [64, 8, 256, 512, 3, 1],
      [64, 16, 128, 256, 3, 1],
      [64, 32, 64, 128, 3, 1],
    ]
  ) {
    const x = tf.randomNormal([B, H, H, Ci]) as tf.Tensor4D,
      f = tf.randomNormal([k, k, Ci, Co]) as tf.Tensor4D;
    const y = tf.conv2d(x, f, s, "same");
    const dy = tf.randomNormal(y.shape);
    const attrs = { strides: s, pad: "same", dataFormat: "NHWC" } as const;
    const gmac = y.size * k * k * Ci / 1e9;
    const row: Record<string, unknown> = { x: x.shape, filter: f.shape, stride: s, gmac: round(gmac) };
    for (const on of [false, true]) {
      gemmPaths(on);
      const tag = on ? "after" : "before";
      row[`${tag}ForwardMs`] = time(() => tf.conv2d(x, f, s, "same"));
      row[`${tag}FilterGradMs`] = time(() =>
        tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
          ...attrs,
          filterShape: f.shape,
        }) as tf.Tensor
      );
    }
    row.inputGradMs = time(() =>
      tf.engine().runKernel("Conv2DBackpropInput", { dy, filter: f }, {
        ...attrs,
        inputShape: x.shape,
      }) as tf.Tensor
    );
    row.stockFilterGrad = "not implemented in tfjs-backend-wasm 4.22";
    rows.push(row);
    tf.dispose([x, f, y, dy]);
  }
  Object.assign(tuning, DEFAULT_TUNING);
  const mm = [];
  for (
    const [M, K, N, ta] of [[8192, 128, 100, true], [128, 16384, 100, false], [25, 36, 32768, true]] as const
  ) {
    const a = tf.randomNormal(ta ? [K, M] : [M, K]) as tf.Tensor2D,
      b = tf.randomNormal([K, N]) as tf.Tensor2D;
    const row: Record<string, unknown> = { m: M, k: K, n: N, transposeA: ta };
    row.oursMs = time(() => tf.matMul(a, b, ta, false));
    if (matmulStock) {
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

interface TorchResult {
  torch: string;
  steps: { loss: GanLoss; size: number; batch: number; steps: number; secondsPerStep: number }[];
  inference: { size: number; imagesPerSecond: number }[];
  [k: string]: unknown;
}

/** Runs bench/train_torch.py; null (with the reason) when python3 or torch is missing. */
async function runTorch(request: object): Promise<TorchResult | { unavailable: string }> {
  try {
    const cmd = new Deno.Command(PYTHON, {
      args: [new URL("./train_torch.py", import.meta.url).pathname, JSON.stringify(request)],
      stdout: "piped",
      stderr: "inherit",
    });
    const out = await cmd.output();
    if (!out.success) return { unavailable: `train_torch.py exited with ${out.code}` };
    return JSON.parse(new TextDecoder().decode(out.stdout));
  } catch (e) {
    return { unavailable: e instanceof Error ? e.message : String(e) };
  }
}

async function torchAvailable(): Promise<string | null> {
  try {
    const out = await new Deno.Command(PYTHON, {
      args: ["-c", "import torch; print(torch.__version__)"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  } catch {
    return null;
  }
}

function loadAverage(): number[] | null {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).map(Number);
  } catch {
    return null;
  }
}

function round(x: number): number {
  return Number(x.toPrecision(4));
}

/** Runs the benchmark and writes `bench/results/train.json`. */
export async function main(): Promise<unknown> {
  const t00 = performance.now();
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    host: {
      cpus: navigator.hardwareConcurrency,
      deno: Deno.version.deno,
      tfjs: tf.version.tfjs,
      os: Deno.build.os,
    },
    note: "seconds per training step = one D update on [fake; real] + one G update, width 1; per case one " +
      `warm-up step, then the median of up to ${MAX_STEPS} timed steps within ${BUDGET} s (at least one). ` +
      "ours: wasm backend (XNNPACK, SIMD, 1 thread); torch: PyTorch CPU, torch.set_num_threads(1), " +
      "channels_last (faster than NCHW here, see torchNchw). The machine has 2 cores and may be shared: " +
      "load averages are recorded; compare within one run.",
    loadAverage: { start: loadAverage() },
  };
  await import("@tensorflow/tfjs-backend-wasm");
  await tf.setBackend("wasm");
  const matmulStock = tf.getKernel("BatchMatMul", "wasm");
  const sel = await selectBackend("wasm");
  registerWasmKernels();
  results.wasm = sel;

  // Before/after of the current optimisations on whole steps, in this run: one trainer, the two kernel
  // sets alternating step by step (robust to a load that drifts), median per set.
  console.error("before/after");
  const beforeAfter = [];
  for (const [loss, size, width] of [["dcgan", 64, 1], ["wgan", 32, 1], ["dcgan", 32, 0.25]] as const) {
    const trainer = new GanTrainer(crops(128, size), trainSettings({ loss, size, width, batchSize: 64 }));
    const times: Record<"before" | "after", number[]> = { before: [], after: [] };
    for (let i = 0; i < 2 + 2 * MAX_STEPS; i++) {
      const on = i % 2 === 1;
      Object.assign(tuning, on ? DEFAULT_TUNING : PREVIOUS_TUNING);
      const t0 = performance.now();
      await trainer.runStep();
      if (i >= 2) times[on ? "after" : "before"].push((performance.now() - t0) / 1000);
    }
    Object.assign(tuning, DEFAULT_TUNING);
    trainer.dispose();
    const b = median(times.before), a = median(times.after);
    console.error(
      `  ${loss} ${size}px w=${width} batch 64: before ${b.toFixed(3)} s, after ${a.toFixed(3)} s`,
    );
    beforeAfter.push({
      loss,
      size,
      width,
      batch: 64,
      steps: times.after.length,
      beforeSeconds: round(b),
      afterSeconds: round(a),
      speedup: round(b / a),
    });
  }
  results.beforeAfter = {
    what: "before: the previous kernels (filter gradient always one transposed dilated convolution, stock " +
      "Identity/Cast copies, stock LeakyRelu and its Greater/Multiply/Select gradient, Sum/Mean transposing " +
      "first, Adam as 12 kernels per variable); after: the defaults of wasm_kernels.ts `tuning` (im2colᵀ·dy " +
      "GEMMs for G's wide stride-1 filter gradients, shared buffers, fused LeakyReLU gradient, column-sum " +
      "reductions, fused Adam). One trainer, the two alternating step by step after one warm-up step each; " +
      "medians. Every other number here uses 'after'.",
    steps: beforeAfter,
  };
  console.error("kernels");
  results.kernels = kernelComparison(matmulStock);
  console.error("profile");
  results.profile = [await profileStep("dcgan", 64, 1, 64)];

  console.error("inference");
  const inf = [];
  for (const size of SIZES) inf.push(await inference(size, 1));
  console.error("wasm steps");
  // Cheapest first: a case that runs out of wasm memory (4 GiB) leaves the backend unusable, so it is
  // recorded and the remaining (larger) cases are skipped.
  const steps: (StepCase | { backend: string; loss: GanLoss; size: number; batch: number; error: string })[] =
    [];
  let broken: string | null = null;
  for (const size of SIZES) {
    for (const batch of BATCHES) {
      for (const loss of LOSSES) {
        if (broken) {
          steps.push({ backend: "wasm", loss, size, batch, error: `skipped after: ${broken}` });
          continue;
        }
        try {
          steps.push(await timeSteps("wasm", loss, size, 1, batch));
        } catch (e) {
          broken = `${loss} ${size}px batch ${batch}: ${e instanceof Error ? e.message : String(e)}`;
          console.error(`  ${broken}`);
          steps.push({ backend: "wasm", loss, size, batch, error: broken });
        }
      }
    }
  }
  results.loadAverage = { ...results.loadAverage as object, afterOurs: loadAverage() };

  const torchVersion = WITH_TORCH ? await torchAvailable() : null;
  let torch: TorchResult | { unavailable: string } = {
    unavailable: WITH_TORCH ? `${PYTHON} has no torch (Debian: apt-get install python3-torch)` : "skipped",
  };
  let torchNchw: TorchResult | { unavailable: string } | null = null;
  if (torchVersion) {
    console.error(`torch ${torchVersion}`);
    const cases = SIZES.flatMap((size) =>
      BATCHES.flatMap((batch) => LOSSES.map((loss) => ({ loss, size, batch })))
    );
    torch = await runTorch({
      cases,
      maxSteps: MAX_STEPS,
      budget: BUDGET,
      inference: SIZES,
      width: 1,
      channelsLast: true,
    });
    if (SIZES.includes(64)) {
      torchNchw = await runTorch({
        cases: [{ loss: "dcgan", size: 64, batch: 64 }],
        maxSteps: MAX_STEPS,
        budget: BUDGET,
        width: 1,
        channelsLast: false,
      });
    }
  }
  results.loadAverage = { ...results.loadAverage as object, end: loadAverage() };
  const tsteps = "steps" in torch ? torch.steps : [];
  results.steps = steps.map((c) => {
    const t = tsteps.find((x) => x.loss === c.loss && x.size === c.size && x.batch === c.batch);
    const ours = "secondsPerStep" in c ? c.secondsPerStep : null;
    return {
      ...c,
      torchSecondsPerStep: t ? round(t.secondsPerStep) : null,
      ratio: t && ours ? round(ours / t.secondsPerStep) : null,
    };
  });
  const tinf = "inference" in torch ? torch.inference : [];
  results.inference = inf.map((r) => {
    const t = tinf.find((x) => x.size === r.size);
    return { ...r, torchImagesPerSecond: t ? round(t.imagesPerSecond) : null };
  });
  results.torch = "steps" in torch ? { ...torch, steps: undefined, inference: undefined } : torch;
  if (torchNchw && "steps" in torchNchw) {
    results.torchNchw = { note: "PyTorch's default NCHW layout, same case", steps: torchNchw.steps };
  }
  results.wallSeconds = round((performance.now() - t00) / 1000);
  await Deno.mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await Deno.writeTextFile(
    new URL("./results/train.json", import.meta.url),
    JSON.stringify(results, null, 2) + "\n",
  );
  return results;
}

if (import.meta.main) await main();
