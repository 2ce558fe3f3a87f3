/**
 * `Identity` and same-dtype `Cast` for the tfjs `wasm` backend share the input's buffer: the engine clones
 * every tensor a gradient saves (241 per step), and the stock wasm kernels copied each one. Bit for bit the
 * stock result.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { Info } from "./heap.ts";
import { tuning } from "./tuning.ts";

/**
 * `Identity` that shares its input's buffer (reference counted, as `Reshape`): the engine clones every
 * tensor a gradient saves (241 calls a step), and the stock wasm kernel copies each one.
 */
export function makeIdentity(stock: tf.KernelFunc) {
  return makeSharing(stock, () => true);
}

/** `Cast` to the input's own dtype shares its buffer too (batch-norm moments cast float32 to float32). */
export function makeCast(stock: tf.KernelFunc) {
  return makeSharing(stock, (x, attrs) => attrs.dtype === x.dtype);
}

/** A kernel that returns its input's buffer (reference counted) when `shares` says so, else runs `stock`. */
function makeSharing(stock: tf.KernelFunc, shares: (x: Info, attrs: tf.NamedAttrMap) => boolean) {
  return (args: { inputs: { x: Info }; backend: BackendWasm; attrs: tf.NamedAttrMap }): Info => {
    const { inputs: { x }, backend, attrs } = args;
    if (!tuning.shareIdentity || x.dtype === "string" || !shares(x, attrs)) {
      return stock(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    }
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
