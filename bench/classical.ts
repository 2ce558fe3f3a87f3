/**
 * Classical feature benchmark: crops/s of {@linkcode classicalFeaturesBatch} (223 CellProfiler-like features,
 * masks segmented by the fallback) on one core for N = 2,000 synthetic crops of 32×32 and of 68×68, the
 * 68×68 ones also with masks given (features alone), and on up to 2,000 real BBBC021 crops
 * (`../shared/data/bbbc021/crops`, skipped when absent). Goal: 2,000 crops of 68×68 well under 10 s.
 * Data generation and loading are not timed; wall and process CPU time are both reported (the machine
 * may be shared). Writes bench/results/classical.json.
 * @module
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { loadCrop, readCropIndex } from "../lib/data/crops.ts";
import { classicalFeaturesBatch, cropMasks, featureCount } from "../lib/profiling/classical.ts";
import { syntheticCropBatch } from "../lib/profiling/crop_synthetic.ts";

const N = 2000, GOAL_MS = 10_000, WARMUP = 100;

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

interface Timing {
  crops: number;
  size: number;
  /** Wall-clock time (the machine may be shared: compare with cpu_ms). */
  total_ms: number;
  /** CPU time of the process (user + system) over the same span. */
  cpu_ms: number;
  ms_per_crop: number;
  crops_per_s: number;
  nan_fraction: number;
}

function time(
  crops: Float32Array,
  n: number,
  size: number,
  masks?: { nucleus: Uint8Array; cell: Uint8Array },
): Timing {
  classicalFeaturesBatch(crops.subarray(0, WARMUP * size * size * 3), WARMUP, size); // JIT warm-up
  const c0 = process.cpuUsage();
  const t = performance.now();
  const f = classicalFeaturesBatch(crops, n, size, masks);
  const ms = performance.now() - t;
  const c1 = process.cpuUsage(c0);
  let nan = 0;
  for (const v of f) if (Number.isNaN(v)) nan++;
  return {
    crops: n,
    size,
    total_ms: round(ms),
    cpu_ms: round((c1.user + c1.system) / 1000),
    ms_per_crop: Math.round((ms / n) * 1000) / 1000,
    crops_per_s: Math.round(n / (ms / 1000)),
    nan_fraction: Math.round((nan / f.length) * 1e4) / 1e4,
  };
}

/** Runs the benchmark, writes `bench/results/classical.json` and returns its numbers. */
export async function main(): Promise<Record<string, unknown>> {
  const synthetic32 = syntheticCropBatch(N, 32, 1);
  const synthetic68 = syntheticCropBatch(N, 68, 2);
  const s32 = time(synthetic32, N, 32);
  const s68 = time(synthetic68, N, 68);
  // Masks given: segment once outside the timer.
  const S = 68, n = S * S;
  const nucleus = new Uint8Array(N * n), cell = new Uint8Array(N * n);
  for (let i = 0; i < N; i++) {
    const m = cropMasks({ size: S, data: synthetic68.subarray(i * n * 3, (i + 1) * n * 3) });
    nucleus.set(m.nucleus, i * n);
    cell.set(m.cell, i * n);
  }
  const s68masks = time(synthetic68, N, 68, { nucleus, cell });

  const dir = fileURLToPath(new URL("../../shared/data/bbbc021/crops", import.meta.url));
  let real: Timing | string;
  if (existsSync(`${dir}/index.csv`)) {
    const records = (await readCropIndex(dir, { checkFiles: false })).slice(0, N);
    const crops = new Float32Array(records.length * n * 3);
    for (let i = 0; i < records.length; i++) {
      const img = await loadCrop(dir, records[i], { channelOrder: "dna-actin-tubulin" });
      if (img.width !== S || img.height !== S) {
        throw new Error(`expected 68×68 real crops, got ${img.width}×${img.height}`);
      }
      crops.set(Float32Array.from(img.data), i * n * 3);
    }
    real = time(crops, records.length, S);
  } else {
    real = `skipped: ${dir} is absent`;
  }

  const out = {
    benchmark: "classical",
    date: new Date().toISOString(),
    machine: {
      cpus: navigator.hardwareConcurrency,
      os: Deno.build.os,
      deno: Deno.version.deno,
      threads_used: 1,
    },
    features: featureCount(),
    goal: { crops: N, size: 68, ms: GOAL_MS, meets_goal: s68.total_ms < GOAL_MS },
    synthetic_32: s32,
    synthetic_68: s68,
    synthetic_68_masks_given: s68masks,
    real_bbbc021_68: real,
  };
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  writeFileSync(new URL("./results/classical.json", import.meta.url), JSON.stringify(out, null, 2) + "\n");
  return out;
}

if (import.meta.main) {
  console.log(JSON.stringify(await main(), null, 2));
}
