/**
 * Small helpers shared by our kernels for the tfjs `wasm` backend: running the backend's stock kernels
 * (its XNNPACK `Conv2D` as it was before {@link ./register.ts} wrapped it), freeing intermediate results,
 * and tensors' data on the wasm heap (views and byte addresses).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/** A tensor on the backend, as kernels see it. */
export type Info = tf.TensorInfo;

/** The stock XNNPACK `Conv2D`, captured by {@link captureStockConv2D} before our wrapper replaces it. */
let stockConv2D: tf.KernelFunc | null = null;

/** Records the stock `Conv2D` kernel, before {@link ./register.ts} registers its wrapper in its place. */
export function captureStockConv2D(kernelFunc: tf.KernelFunc): void {
  stockConv2D = kernelFunc;
}

/**
 * Runs the wasm backend's kernel `name` (for `Conv2D`, the stock XNNPACK kernel once it has been captured,
 * not our wrapper).
 */
export function runKernel(
  name: string,
  backend: BackendWasm,
  inputs: Record<string, Info>,
  attrs: object,
): Info {
  if (name === "Conv2D" && stockConv2D) {
    return stockConv2D({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as Info;
  }
  const k = tf.getKernel(name, "wasm");
  if (!k) throw new Error(`wasm backend has no '${name}' kernel`);
  return k.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as Info;
}

/** Frees the backend's data of intermediate results. */
export function dispose(backend: BackendWasm, ...infos: Info[]): void {
  for (const i of infos) backend.disposeData(i.dataId);
}

export { addressOf, heapF32 } from "./memory.ts";
