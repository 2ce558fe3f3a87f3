/**
 * Picks and initialises the TensorFlow.js backend that trains and runs the GANs.
 *
 * `auto` tries, in order:
 * 1. `tensorflow` — the native TensorFlow binding, if `@tensorflow/tfjs-node-gpu` (CUDA) or
 *    `@tensorflow/tfjs-node` is installed and loads. They are optional: a user adds one to the import map of
 *    `deno.json` (`"@tensorflow/tfjs-node-gpu": "npm:@tensorflow/tfjs-node-gpu@4.22.0"`) and runs
 *    `deno install --allow-scripts=npm:@tensorflow/tfjs-node-gpu` so its install script fetches libtensorflow.
 * 2. `webgpu` — if `navigator.gpu` offers a hardware adapter (a software rasteriser such as llvmpipe or
 *    SwiftShader does not count for `auto`; naming `webgpu` explicitly still uses it).
 * 3. `wasm` — XNNPACK with SIMD, plus our convolution-gradient kernels ({@link registerWasmKernels}); with
 *    `threads` > 1 the threaded build, our kernels split across a pool of workers ({@link startWasmThreads}).
 * 4. `cpu` — the pure-JavaScript reference backend (slow; for tests).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { registerWasmKernels, simdUsesFma, startWasmThreads } from "./wasm/mod.ts";
import { registerWebGpuKernels } from "./webgpu/mod.ts";

/** A concrete backend name, as recorded in manifests. */
export type BackendName = "tensorflow" | "webgpu" | "wasm" | "cpu";
/** What a user may ask for: a backend, or `auto`. */
export type BackendChoice = BackendName | "auto";

/** The backend names a user may pass, `auto` first. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ["auto", "tensorflow", "webgpu", "wasm", "cpu"];

/** The outcome of {@link selectBackend}. */
export interface BackendSelection {
  /** The backend now active in `tf`. */
  name: BackendName;
  /** Why it was chosen, in words (e.g. "auto: no native binding; webgpu adapter is llvmpipe (software)"). */
  reason: string;
  /** Detail of the device or binding (adapter description, package name, SIMD support). */
  detail: string;
}

interface Attempt {
  ok: boolean;
  detail: string;
}

// Bare specifiers held in variables, so that Deno's module graph (and the code digest) never requires them:
// they resolve only when a user has added them to the import map.
const NATIVE_PACKAGES = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"];

async function tryTensorflow(): Promise<Attempt> {
  const errors: string[] = [];
  for (const spec of NATIVE_PACKAGES) {
    try {
      await import(spec);
      if (await tf.setBackend("tensorflow")) return { ok: true, detail: spec };
      errors.push(`${spec}: loaded but the 'tensorflow' backend did not initialise`);
    } catch (e) {
      errors.push(`${spec}: ${firstLine(e)}`);
    }
  }
  return { ok: false, detail: errors.join("; ") };
}

/** Describes the WebGPU adapter, or says why there is none. `hardware` is false for software rasterisers. */
export async function probeWebGpu(): Promise<{ available: boolean; hardware: boolean; detail: string }> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) return { available: false, hardware: false, detail: "navigator.gpu is absent" };
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    return { available: false, hardware: false, detail: `requestAdapter failed: ${firstLine(e)}` };
  }
  if (!adapter) return { available: false, hardware: false, detail: "no WebGPU adapter" };
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const text = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(" ");
  const software = info.isFallbackAdapter === true || /llvmpipe|lavapipe|swiftshader|software/i.test(text);
  return { available: true, hardware: !software, detail: `${text}${software ? " (software)" : ""}` };
}

async function tryWebGpu(requireHardware: boolean): Promise<Attempt> {
  const probe = await probeWebGpu();
  if (!probe.available) return { ok: false, detail: probe.detail };
  if (requireHardware && !probe.hardware) return { ok: false, detail: `adapter is ${probe.detail}` };
  try {
    await import("@tensorflow/tfjs-backend-webgpu");
    // tfjs runs a kernel on the CPU when its inputs are small and not yet on the GPU; every kernel of ours
    // runs on the GPU (webgpu_test.ts counts the hand-offs).
    tf.env().set("WEBGPU_CPU_FORWARD", false);
    if (await tf.setBackend("webgpu")) {
      registerWebGpuKernels();
      return { ok: true, detail: probe.detail };
    }
    return { ok: false, detail: "the 'webgpu' backend did not initialise" };
  } catch (e) {
    return { ok: false, detail: firstLine(e) };
  }
}

async function tryWasm(threads: number): Promise<Attempt> {
  try {
    await import("@tensorflow/tfjs-backend-wasm");
    if (threads > 1) await startWasmThreads(threads);
    else if (!(await tf.setBackend("wasm"))) {
      return { ok: false, detail: "the 'wasm' backend did not initialise" };
    }
    registerWasmKernels();
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    return {
      ok: true,
      detail: `XNNPACK, SIMD ${simd ? "on" : "off"}, ${threads} thread${
        threads > 1 ? "s (threaded build)" : ""
      }, morphogan SIMD convolution kernels (${simdUsesFma() ? "fused multiply-add" : "multiply + add"})`,
    };
  } catch (e) {
    return { ok: false, detail: firstLine(e) };
  }
}

async function tryCpu(): Promise<Attempt> {
  const ok = await tf.setBackend("cpu");
  return { ok, detail: ok ? "pure JavaScript" : "the 'cpu' backend did not initialise" };
}

/** Options of {@link selectBackend}. */
export interface BackendOptions {
  /**
   * CPU threads the `wasm` backend computes on (default 1). Set once per process: the first selection of
   * `wasm` loads its single-threaded or its threaded build for good. The thread count does not change the
   * results (`lib/models/wasm/pool.ts`).
   */
  threads?: number;
}

/**
 * Activates a backend in the shared `tf` engine and says which and why.
 *
 * @param choice `auto` (default) or a backend name; a named backend that cannot start is an error that
 *   says why, never a silent fallback.
 */
export async function selectBackend(
  choice: BackendChoice = "auto",
  options: BackendOptions = {},
): Promise<BackendSelection> {
  if (!BACKEND_CHOICES.includes(choice)) {
    throw new Error(`unknown backend '${choice}': expected one of ${BACKEND_CHOICES.join(", ")}`);
  }
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(`threads: expected a whole number ≥ 1, got ${threads}`);
  }
  const attempts: Record<BackendName, () => Promise<Attempt>> = {
    tensorflow: tryTensorflow,
    webgpu: () => tryWebGpu(choice === "auto"),
    wasm: () => tryWasm(threads),
    cpu: tryCpu,
  };
  if (choice !== "auto") {
    const a = await attempts[choice]();
    if (!a.ok) throw new Error(`backend '${choice}' is unavailable: ${a.detail}`);
    await tf.ready();
    return { name: choice, reason: "requested", detail: a.detail };
  }
  const skipped: string[] = [];
  for (const name of ["tensorflow", "webgpu", "wasm", "cpu"] as const) {
    const a = await attempts[name]();
    if (a.ok) {
      await tf.ready();
      const reason = skipped.length ? `auto: ${skipped.join("; ")}` : "auto: first choice";
      return { name, reason, detail: a.detail };
    }
    skipped.push(`${name} unavailable (${a.detail})`);
  }
  throw new Error(`no backend could start: ${skipped.join("; ")}`);
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0].slice(0, 200);
}
