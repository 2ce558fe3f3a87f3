/**
 * The thread scaling of `deno task bench train` (also alone: `deno run -A bench/lib/train_threads.ts`) →
 * `bench/results/train_threads.json`:
 * seconds per GAN training step on the wasm backend at 1, 2 (and, on a bigger machine, all its) threads,
 * each beside PyTorch CPU at the same thread count (`torch.set_num_threads`), for the quick profile's size
 * (32 px, w = 0.25, batch 64) and 64 px at the paper's width (w = 1, batch 64), every loss.
 *
 * A process loads one build of the wasm backend for good, so each thread count runs in a child process of
 * this module (`child` mode), which keeps its own `train_torch.py serve` with as many threads. Per case: one
 * warm-up step each, then `BENCH_THREADS_ROUNDS` rounds (default 5; 3 at 64 px) of one of our steps and one
 * of PyTorch's, alternating (this shared machine's speed drifts); medians. The scaling of one training is
 * its median at 1 thread over its median at N.
 *
 * @module
 */
import type { GanLoss } from "../../lib/models/gan.ts";
import { PYTHON, torchAvailable, TorchServer } from "./torch_server.ts";

const ROUNDS = Number(Deno.env.get("BENCH_THREADS_ROUNDS") ?? 5);
const LOSSES = ["dcgan", "lsgan", "wgan"] as const;

/** A case: the quick profile's size, and 64 px at the paper's width. */
interface Case {
  loss: GanLoss;
  size: number;
  width: number;
  batch: number;
  rounds: number;
}

function cases(): Case[] {
  const sizes = (Deno.env.get("BENCH_THREADS_SIZES") ?? "32,64").split(",").map(Number);
  const out: Case[] = [];
  for (const size of sizes) {
    for (const loss of LOSSES) {
      out.push({ loss, size, width: size === 32 ? 0.25 : 1, batch: 64, rounds: size >= 64 ? 3 : ROUNDS });
    }
  }
  return out;
}

/** One case at one thread count: ours and PyTorch's seconds per step. */
interface CaseResult extends Omit<Case, "rounds"> {
  threads: number;
  oursSeconds: number[];
  torchSeconds: number[] | null;
  oursMedian: number;
  torchMedian: number | null;
  /** ours / PyTorch (median over median); below 1: ours faster */
  ratio: number | null;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** Child mode: every case on `threads` threads, ours beside PyTorch's; prints JSON. */
async function child(threads: number, withTorch: boolean): Promise<void> {
  const { selectBackend } = await import("../../lib/models/backend.ts");
  const { GanTrainer, trainSettings } = await import("../../lib/models/train.ts");
  const { Rng } = await import("../../lib/models/rng.ts");
  const backend = await selectBackend("wasm", { threads });
  const server = withTorch ? new TorchServer({ threads, channelsLast: true }) : null;
  const results: CaseResult[] = [];
  for (const c of cases()) {
    const crops = new Rng(1).fillUniform(new Float32Array(2 * c.batch * c.size * c.size * 3), -1, 1);
    const trainer = new GanTrainer(
      crops,
      trainSettings({ loss: c.loss, size: c.size, width: c.width, batchSize: c.batch }),
    );
    await trainer.runStep(); // warm-up
    if (server) await server.steps(c.loss, c.size, c.batch, 0, c.width);
    const ours: number[] = [], torch: number[] = [];
    for (let r = 0; r < c.rounds; r++) {
      const t0 = performance.now();
      await trainer.runStep();
      ours.push((performance.now() - t0) / 1000);
      if (server) torch.push(...await server.steps(c.loss, c.size, c.batch, 1, c.width));
    }
    trainer.dispose();
    if (server) await server.drop(c.loss, c.size, c.batch, c.width);
    const o = median(ours), t = server ? median(torch) : null;
    console.error(
      `  ${threads} thread(s) ${c.loss} ${c.size}px w=${c.width}: ours ${o.toFixed(3)} s` +
        (t ? `, torch ${t.toFixed(3)} s (${(o / t).toFixed(2)}×)` : ""),
    );
    results.push({
      loss: c.loss,
      size: c.size,
      width: c.width,
      batch: c.batch,
      threads,
      oursSeconds: ours.map(round),
      torchSeconds: server ? torch.map(round) : null,
      oursMedian: round(o),
      torchMedian: t === null ? null : round(t),
      ratio: t === null ? null : round(o / t),
    });
  }
  await server?.close();
  console.log(JSON.stringify({ backend: backend.detail, results }));
}

/**
 * The CPU's model and its widest x86 vector extension (PyTorch's kernels use AVX-512 or AVX2; WebAssembly's
 * SIMD is 128 bits wide whatever the CPU), from /proc/cpuinfo; null elsewhere.
 */
function cpuModel(): { model: string; vectors: string } | null {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    const model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1] ?? "unknown";
    const flags = /^flags\s*:\s*(.+)$/m.exec(info)?.[1].split(" ") ?? [];
    const vectors = flags.includes("avx512f") ? "AVX-512" : flags.includes("avx2") ? "AVX2" : "SSE";
    return { model, vectors };
  } catch {
    return null;
  }
}

/** Runs every thread count in its own child process; writes `bench/results/train_threads.json`. */
export async function main(): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const cores = navigator.hardwareConcurrency;
  const counts = [...new Set([1, 2, cores])].filter((n) => n <= Math.max(2, cores));
  const torchVersion = Deno.env.get("BENCH_TRAIN_TORCH") === "0" ? null : await torchAvailable();
  const byThreads: Record<string, { backend: string; results: CaseResult[] }> = {};
  for (const n of counts) {
    console.error(`train_threads: ${n} thread(s)`);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL(import.meta.url).pathname, "child", String(n), torchVersion ? "1" : "0"],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error(`train_threads: the child with ${n} threads failed (${out.code})`);
    byThreads[n] = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
  }
  const one = byThreads[1].results;
  const scaling = counts.filter((n) => n > 1).flatMap((n) =>
    byThreads[n].results.map((r, i) => ({
      loss: r.loss,
      size: r.size,
      width: r.width,
      threads: n,
      speedup: round(one[i].oursMedian / r.oursMedian),
      torchSpeedup: one[i].torchMedian && r.torchMedian ? round(one[i].torchMedian! / r.torchMedian) : null,
    }))
  );
  const results = {
    date: new Date().toISOString(),
    host: { cpus: cores, cpu: cpuModel(), deno: Deno.version.deno, os: Deno.build.os, torch: torchVersion },
    note: "seconds per training step (one D update on [fake; real] + one G update), batch 64; per case and " +
      "thread count one warm-up step each, then rounds of one of our steps and one of PyTorch's alternating " +
      `(${ROUNDS} rounds at 32 px, 3 at 64 px); medians. ours: wasm backend on N threads (threaded build, ` +
      "our kernels on the thread pool; the same bits at every N); torch: PyTorch CPU, " +
      `torch.set_num_threads(N), channels_last (${PYTHON}). Each thread count in its own process. ` +
      "speedup: ours at 1 thread over ours at N (and PyTorch's the same way).",
    threads: counts,
    runs: byThreads,
    scaling,
    wallSeconds: round((performance.now() - t0) / 1000),
  };
  await Deno.mkdir(new URL("../results/", import.meta.url), { recursive: true });
  const path = new URL("../results/train_threads.json", import.meta.url);
  await Deno.writeTextFile(`${path.pathname}.part`, JSON.stringify(results, null, 2) + "\n");
  await Deno.rename(`${path.pathname}.part`, path);
  return results;
}

if (import.meta.main) {
  if (Deno.args[0] === "child") await child(Number(Deno.args[1]), Deno.args[2] === "1");
  else await main();
}
