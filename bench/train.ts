/**
 * `deno task bench train` → `bench/results/train.json`: seconds per GAN training step (one D update on
 * [fake; real] + one G update) for each loss at 32, 48, 64 and 96 px, batch 32 and 64, w = 1 (the paper's
 * network), on the wasm backend (one thread); when `/usr/bin/python3` has torch, each of our steps is
 * followed by one of PyTorch CPU on one thread running the same network, losses and step
 * (`bench/train_torch.py`, a kept process), and the ratio.
 * Also: the goal's case (64 px, batch 64) with ours and PyTorch alternating round by round (`goal`, robust to
 * a machine whose speed drifts), D inference (feature extraction, `encodeLatents`) images/s per size, our
 * kernels before/after on whole steps and on the convolution shapes of a 64 px step, per-kernel profiles,
 * and the machine's load. Last, the thread scaling ({@link ./lib/train_threads.ts}: every loss at the quick
 * size and at 64 px on 1, 2 and all threads beside PyTorch on as many) → `bench/results/train_threads.json`,
 * summarised in `threads`.
 *
 * Each case: one first step (warm-up, reported), then timed steps until 3 or until they took
 * `BENCH_TRAIN_BUDGET` seconds (default 12; at least 1): the median. Environment: `BENCH_TRAIN_SIZES`
 * (default "32,48,64,96"), `BENCH_TRAIN_TORCH=0` skips PyTorch, `BENCH_TRAIN_ROUNDS` (default 6) rounds (one step each) of the
 * paired goal measurement.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../lib/models/backend.ts";
import { registerWasmKernels, tuning } from "../lib/models/wasm/mod.ts";
import { GanTrainer, trainSettings } from "../lib/models/train.ts";
import { encodeLatents } from "../lib/models/encode.ts";
import type { GanLoss } from "../lib/models/gan.ts";
import { Rng } from "../lib/models/rng.ts";
import { PYTHON, torchAvailable, TorchServer } from "./lib/torch_server.ts";
import { main as threadScaling } from "./lib/train_threads.ts";

const MAX_STEPS = 3;
const BUDGET = Number(Deno.env.get("BENCH_TRAIN_BUDGET") ?? 12);
const SIZES = (Deno.env.get("BENCH_TRAIN_SIZES") ?? "32,48,64,96").split(",").map(Number);
const BATCHES = [32, 64];
const LOSSES = ["dcgan", "lsgan", "wgan"] as const;
const WITH_TORCH = Deno.env.get("BENCH_TRAIN_TORCH") !== "0";
const PAIRED_ROUNDS = Number(Deno.env.get("BENCH_TRAIN_ROUNDS") ?? 6);

interface StepCase {
  backend: string;
  loss: GanLoss;
  size: number;
  width: number;
  batch: number;
  steps: number;
  firstStepSeconds: number;
  secondsPerStep: number;
  /** PyTorch's median over as many steps, each right after one of ours (null without torch) */
  torchSecondsPerStep: number | null;
  ratio: number | null;
}

function crops(n: number, size: number): Float32Array {
  return new Rng(1).fillUniform(new Float32Array(n * size * size * 3), -1, 1);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * One warm-up step, then up to MAX_STEPS timed steps within BUDGET seconds (at least one): the median. With
 * a PyTorch server, each of our steps is followed by one of PyTorch's on the same case (after its own
 * warm-up step), so that both see the same machine.
 */
async function timeSteps(
  backend: string,
  loss: GanLoss,
  size: number,
  width: number,
  batch: number,
  server: TorchServer | null,
): Promise<StepCase> {
  const trainer = new GanTrainer(
    crops(2 * batch, size),
    trainSettings({ loss, size, width, batchSize: batch }),
  );
  let t0 = performance.now();
  await trainer.runStep(); // operator creation, memory growth
  const first = (performance.now() - t0) / 1000;
  if (server) await server.steps(loss, size, batch, 0);
  const times: number[] = [], torch: number[] = [];
  while (times.length < MAX_STEPS && (times.length === 0 || times.reduce((a, b) => a + b, 0) < BUDGET)) {
    t0 = performance.now();
    await trainer.runStep();
    times.push((performance.now() - t0) / 1000);
    if (server) torch.push(...await server.steps(loss, size, batch, 1));
  }
  trainer.dispose();
  if (server) await server.drop(loss, size, batch);
  const s = median(times), t = torch.length ? median(torch) : null;
  console.error(
    `  ${backend} ${loss} ${size}px w=${width} batch ${batch}: ${s.toFixed(3)} s/step (${times.length})` +
      (t ? `, torch ${t.toFixed(3)} s (${(s / t).toFixed(2)}×)` : ""),
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
    torchSecondsPerStep: t === null ? null : round(t),
    ratio: t === null ? null : round(s / t),
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

const DEFAULT_TUNING = { ...tuning };
/** The kernels of the previous benchmark: XNNPACK convolutions, no SIMD kernels of ours, LeakyReLU's mask attached. */
const PREVIOUS_TUNING = {
  ...DEFAULT_TUNING,
  simdFilterGrad: false,
  simdConv: false,
  detachedMask: false,
};

/**
 * The convolutions of a 64 px, batch 64 step (D on [fake; real] = 128 images; G's fused upsample
 * convolutions as 3×3 convolutions to 4·Co; G's last layer to 3 channels): forward, filter and input
 * gradient, "before" (XNNPACK's convolution for all three, the filter gradient as its dilated convolution
 * or the im2colᵀ·dy GEMMs) and "after" (our SIMD kernels where the channels allow). Kernel time (tf.profile),
 * the best of 3 after one warm-up call; GFLOP/s = 2 × multiply-adds / time.
 */
async function kernelComparison(matmulStock?: tf.KernelConfig) {
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
  const kernelMs = async (f: () => tf.Tensor, n = 3) => {
    let best = Infinity;
    for (let i = 0; i < n + 1; i++) {
      const info = await tf.profile(() => f().dispose());
      const ms = info.kernels.reduce((a, k) => a + (Number(k.kernelTimeMs) || 0), 0);
      if (i > 0) best = Math.min(best, ms);
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
      [64, 64, 32, 3, 5, 1],
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
      Object.assign(tuning, DEFAULT_TUNING, on ? {} : { simdConv: false, simdFilterGrad: false });
      const tag = on ? "after" : "before";
      const ms = {
        Forward: await kernelMs(() => tf.conv2d(x, f, s, "same")),
        FilterGrad: await kernelMs(() =>
          tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
            ...attrs,
            filterShape: f.shape,
          }) as tf.Tensor
        ),
        InputGrad: await kernelMs(() =>
          tf.engine().runKernel("Conv2DBackpropInput", { dy, filter: f }, {
            ...attrs,
            inputShape: x.shape,
          }) as tf.Tensor
        ),
      };
      for (const [what, v] of Object.entries(ms)) {
        row[`${tag}${what}Ms`] = v;
        row[`${tag}${what}Gflops`] = round(2 * gmac / (v / 1000));
      }
    }
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

/**
 * The goal's measurement: 64 px, batch 64, w = 1, each loss; ours and PyTorch alternate round by round,
 * `steps` timed steps each after one warm-up step; medians over all rounds and the ratio.
 */
async function pairedGoal(server: TorchServer, rounds: number, steps: number) {
  const size = 64, batch = 64;
  const out = [];
  for (const loss of LOSSES) {
    const trainer = new GanTrainer(
      crops(2 * batch, size),
      trainSettings({ loss, size, width: 1, batchSize: batch }),
    );
    await trainer.runStep(); // warm-up
    await server.steps(loss, size, batch, 0); // warm-up
    const ours: number[] = [], torch: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < steps; i++) {
        const t0 = performance.now();
        await trainer.runStep();
        ours.push((performance.now() - t0) / 1000);
      }
      torch.push(...await server.steps(loss, size, batch, steps));
    }
    trainer.dispose();
    await server.drop(loss, size, batch);
    const o = median(ours), t = median(torch), oMin = Math.min(...ours), tMin = Math.min(...torch);
    console.error(
      `  paired ${loss} 64px batch 64: ours ${o.toFixed(2)} s, torch ${t.toFixed(2)} s (${
        (o / t).toFixed(2)
      }×)`,
    );
    out.push({
      loss,
      size,
      batch,
      width: 1,
      oursSeconds: ours.map(round),
      torchSeconds: torch.map(round),
      oursMedian: round(o),
      torchMedian: round(t),
      ratio: round(o / t),
      oursMin: round(oMin),
      torchMin: round(tMin),
      ratioOfMins: round(oMin / tMin),
    });
  }
  return {
    what:
      `64 px, batch 64, w = 1: ours and PyTorch alternating, ${rounds} rounds of ${steps} timed steps each ` +
      "after one warm-up step; medians over all timed steps (ratio) and fastest steps (ratioOfMins: " +
      "interference from other work only adds time, and this shared machine slows down for minutes at a " +
      "time). The goal: ratio ≤ 1.5.",
    cases: out,
  };
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
      "ours: wasm backend (XNNPACK and our SIMD kernels, 1 thread); torch: PyTorch CPU, " +
      "torch.set_num_threads(1), channels_last (faster than NCHW here, see torchNchw), the same number of " +
      "timed steps, each right after one of ours (the machine's speed drifts by up to 40 % between runs " +
      "minutes apart; `goal` alternates the two more often). Load averages are recorded.",
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
  for (
    const [loss, size, width] of [["wgan", 64, 1], ["dcgan", 64, 1], ["wgan", 32, 0.25], [
      "dcgan",
      32,
      0.25,
    ]] as const
  ) {
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
    what: "before: the kernels of the previous benchmark (XNNPACK's convolutions for forward and input " +
      "gradient, the filter gradient as its dilated convolution or im2colᵀ·dy GEMMs, LeakyReLU's gradient " +
      "mask attached to the forward pass so that WGAN-GP's second-order pass runs a backward pass of zeros " +
      "through D(x̂)); after: the defaults of wasm/tuning.ts `tuning` (our SIMD filter gradients and " +
      "convolutions, the detached mask). One trainer, the two alternating step by step after one warm-up " +
      "step each; medians. Every other number here uses 'after'.",
    steps: beforeAfter,
  };
  const torchVersion = WITH_TORCH ? await torchAvailable() : null;
  const server = torchVersion ? new TorchServer() : null;
  if (server && SIZES.includes(64)) {
    console.error("paired goal");
    results.goal = await pairedGoal(server, PAIRED_ROUNDS, 1);
  }
  console.error("kernels");
  results.kernels = await kernelComparison(matmulStock);
  console.error("profile");
  results.profile = [await profileStep("wgan", 64, 1, 64), await profileStep("dcgan", 64, 1, 64)];

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
          steps.push(await timeSteps("wasm", loss, size, 1, batch, server));
        } catch (e) {
          broken = `${loss} ${size}px batch ${batch}: ${e instanceof Error ? e.message : String(e)}`;
          console.error(`  ${broken}`);
          steps.push({ backend: "wasm", loss, size, batch, error: broken });
        }
      }
    }
  }
  await server?.close();

  let torch: TorchResult | { unavailable: string } = {
    unavailable: WITH_TORCH ? `${PYTHON} has no torch (Debian: apt-get install python3-torch)` : "skipped",
  };
  let torchNchw: TorchResult | { unavailable: string } | null = null;
  if (torchVersion) {
    console.error(`torch ${torchVersion}`);
    torch = await runTorch({ cases: [], inference: SIZES, width: 1, channelsLast: true });
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
  results.steps = steps;
  const tinf = "inference" in torch ? torch.inference : [];
  results.inference = inf.map((r) => {
    const t = tinf.find((x) => x.size === r.size);
    return { ...r, torchImagesPerSecond: t ? round(t.imagesPerSecond) : null };
  });
  results.torch = "steps" in torch ? { ...torch, steps: undefined, inference: undefined } : torch;
  if (torchNchw && "steps" in torchNchw) {
    results.torchNchw = { note: "PyTorch's default NCHW layout, same case", steps: torchNchw.steps };
  }
  // Each thread count in its own process (a process loads one build of the wasm backend for good).
  console.error("threads");
  const threads = await threadScaling();
  results.threads = { see: "train_threads.json", scaling: threads.scaling };
  results.wallSeconds = round((performance.now() - t00) / 1000);
  await Deno.mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await Deno.writeTextFile(
    new URL("./results/train.json", import.meta.url),
    JSON.stringify(results, null, 2) + "\n",
  );
  return results;
}

if (import.meta.main) await main();
