/**
 * Test helpers for lib/models: backend set-up, random arrays, comparisons, and a small reader of the real
 * BBBC021 crops beside the project (`../shared/data/bbbc021/crops`), which tests skip without.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerWasmKernels } from "./wasm/mod.ts";
import { probeWebGpu, selectBackend } from "./backend.ts";
import { Rng } from "./rng.ts";

/** Makes `name` the active backend (wasm with our kernels registered; webgpu as `selectBackend` sets it up). */
export async function useBackend(name: "wasm" | "cpu" | "webgpu"): Promise<void> {
  if (name === "webgpu") {
    await selectBackend("webgpu");
    return;
  }
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} did not start`);
  if (name === "wasm") registerWasmKernels();
  await tf.ready();
}

/** Normal random values. */
export function randn(n: number, seed: number, std = 1): Float32Array {
  return new Rng(seed).fillNormal(new Float32Array(n), std);
}

/** max |a − b| / max |b|. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return den === 0 ? num : num / den;
}

/** Runs `f` on a backend and returns its result's values (tensors inside are disposed). */
export async function valuesOn(backend: "wasm" | "cpu", f: () => tf.Tensor): Promise<Float32Array> {
  await useBackend(backend);
  const t = tf.tidy(f);
  const v = await t.data() as Float32Array;
  t.dispose();
  return v;
}

/** A convolution test case: x [B, H, W, Ci], a k × k filter to Co channels, stride s, padding pad. */
export interface ConvCase {
  B: number;
  H: number;
  W: number;
  Ci: number;
  Co: number;
  k: number;
  s: number;
  pad: "same" | "valid";
}

/**
 * Convolution cases over strides 1–3 × `kernels` × same/valid, in that order: case i has batch 64 when
 * `batch64(i)` (else 1–3), sides k + [0, extent) with extent `extents[1]` for batch 64 and `extents[0]`
 * otherwise, and channels from `channels` (after the sides' draws from the same generator).
 */
export function convCases(o: {
  seed: number;
  kernels: number[];
  batch64: (i: number) => boolean;
  extents: [number, number];
  channels: (i: number, rng: Rng, batch64: boolean) => [number, number];
}): ConvCase[] {
  const rng = new Rng(o.seed);
  const out: ConvCase[] = [];
  for (const s of [1, 2, 3]) {
    for (const k of o.kernels) {
      for (const pad of ["same", "valid"] as const) {
        const i = out.length, big = o.batch64(i);
        const B = big ? 64 : 1 + rng.int(3);
        const extent = big ? o.extents[1] : o.extents[0];
        const H = k + rng.int(extent), W = k + rng.int(extent);
        const [Ci, Co] = o.channels(i, rng, big);
        out.push({ B, H, W, Ci, Co, k, s, pad });
      }
    }
  }
  return out;
}

/** Where the real crops live, relative to the project root, and whether they are there. */
export const REAL_CROPS = new URL("../../../shared/data/bbbc021/crops/", import.meta.url);

/** True when the real crops are present (tests that need them skip otherwise, with a message). */
export function haveRealCrops(): boolean {
  try {
    Deno.statSync(new URL("index.csv", REAL_CROPS));
    return true;
  } catch {
    return false;
  }
}

/** The skip message of tests that need the real crops. */
export const NO_REAL_CROPS =
  "skipped: ../shared/data/bbbc021/crops is absent (real BBBC021 crops are kept beside the project)";

/**
 * Reads the first `n` real crops (68×68×3 uint16 .npy), centre 64×64, 2× average-pooled when `size` is 32,
 * each channel divided by its max, ×2 − 1: [n, size, size, 3] in [−1, 1].
 */
export async function readRealCrops(n: number, size: 32 | 64): Promise<Float32Array> {
  const index = (await Deno.readTextFile(new URL("index.csv", REAL_CROPS))).trim().split("\n").slice(1);
  const out = new Float32Array(n * size * size * 3);
  const f = 64 / size;
  for (let i = 0; i < n; i++) {
    const bytes = await Deno.readFile(new URL(index[i].split(",")[0], REAL_CROPS));
    const headerLen = bytes[8] | (bytes[9] << 8);
    const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLen));
    if (!header.includes("'<u2'") || !header.includes("(68, 68, 3)")) {
      throw new Error(`unexpected npy header ${header}`);
    }
    const data = new Uint16Array(bytes.slice(10 + headerLen).buffer);
    const img = out.subarray(i * size * size * 3, (i + 1) * size * size * 3);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        for (let c = 0; c < 3; c++) {
          let s = 0;
          for (let dy = 0; dy < f; dy++) {
            for (let dx = 0; dx < f; dx++) s += data[((2 + y * f + dy) * 68 + 2 + x * f + dx) * 3 + c];
          }
          img[(y * size + x) * 3 + c] = s / (f * f);
        }
      }
    }
    for (let c = 0; c < 3; c++) {
      let max = 0;
      for (let j = c; j < img.length; j += 3) max = Math.max(max, img[j]);
      for (let j = c; j < img.length; j += 3) img[j] = max > 0 ? (img[j] / max) * 2 - 1 : -1;
    }
  }
  return out;
}

/**
 * Whether a WebGPU adapter exists here (a software one counts: Mesa's llvmpipe runs the webgpu backend
 * slowly but faithfully); if not, says which tests are skipped and why.
 */
export async function haveWebGpu(what: string): Promise<boolean> {
  const probe = await probeWebGpu();
  if (!probe.available) {
    console.warn(
      `skipping ${what}: no WebGPU adapter (${probe.detail}; Debian: apt-get install mesa-vulkan-drivers)`,
    );
  }
  return probe.available;
}
