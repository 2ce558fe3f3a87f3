/**
 * LeakyReLU on the tfjs `wasm` backend: `LeakyRelu` runs branch-free, and its gradient is one fused kernel
 * ({@link LEAKY_RELU_GRAD}, with its own gradient for WGAN-GP's second order) instead of `Greater` +
 * `Multiply` + `Select`; the gradient reads x through a detached tensor, so that second order skips a
 * backward pass of zeros (`detachedMask`). Bit for bit the stock results.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { heapF32, type Info } from "./heap.ts";
import { tuning } from "./tuning.ts";

/** Int32 view of the same bytes (the sign bit of a float is the sign of its int32). */
function bitsOf(a: Float32Array): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.length);
}

/**
 * `LeakyRelu` without a branch per element: y = x · k[sign bit of x], k = [1, α] (the stock kernel's
 * `x < 0 ? α·x : x`, bit for bit, −0 included; a data-dependent branch mispredicts half the time).
 */
export function makeLeakyRelu(stock: tf.KernelFunc) {
  return (args: { inputs: { x: Info }; backend: BackendWasm; attrs: tf.NamedAttrMap }): Info => {
    const { inputs: { x }, backend, attrs } = args;
    if (!tuning.fusedLeakyRelu || x.dtype !== "float32") {
      return stock(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    }
    const out = backend.makeOutput(x.shape, "float32");
    const xs = heapF32(backend, x), ys = heapF32(backend, out), xb = bitsOf(xs);
    const k = new Float32Array([1, attrs.alpha as number]);
    for (let i = 0; i < xs.length; i++) ys[i] = xs[i] * k[xb[i] >>> 31];
    return out;
  };
}

/** Name of the fused LeakyReLU-gradient kernel (wasm only): dx = x > 0 ? dy : α·dy. */
export const LEAKY_RELU_GRAD = "MorphoganLeakyReluGrad";

/** dx = x > 0 ? dy : α·dy in one pass (the stock gradient runs `Greater`, `Multiply` and `Select`). */
export function leakyReluGradWasm(
  args: { inputs: { dy: Info; x: Info }; backend: BackendWasm; attrs: tf.NamedAttrMap },
): Info {
  const { inputs: { dy, x }, backend, attrs } = args;
  const out = backend.makeOutput(x.shape, "float32");
  const xb = bitsOf(heapF32(backend, x)), ds = heapF32(backend, dy), o = heapF32(backend, out);
  const k = new Float32Array([1, attrs.alpha as number]);
  // x > 0 ⟺ its int32 bits b > 0; index 1 when b ≤ 0: sign bit of b, or of b − 1 (b = 0, i.e. +0).
  for (let i = 0; i < o.length; i++) {
    const b = xb[i];
    o[i] = ds[i] * k[(b >>> 31) | ((b - 1) >>> 31)];
  }
  return out;
}

/**
 * LeakyReLU's gradient: the fused kernel where the active backend has it and it is enabled, else the stock
 * formula `where(x > 0, dy, dy·α)` (same values).
 */
export function leakyReluGrad(dy: tf.Tensor, x: tf.Tensor, alpha: number): tf.Tensor {
  if (tuning.fusedLeakyRelu && dy.dtype === "float32" && tf.getKernel(LEAKY_RELU_GRAD, tf.getBackend())) {
    return tf.engine().runKernel(LEAKY_RELU_GRAD, { dy, x }, { alpha }) as tf.Tensor;
  }
  return tf.where(tf.greater(x, 0), dy, tf.mul(dy, alpha));
}

/**
 * The same values as `t` (the same buffer, no copy) as a tensor that no recorded operation produced: a
 * gradient taken through a function of it stops there (`stop_gradient`).
 */
function detached(t: tf.Tensor): tf.Tensor {
  tf.backend().incRef(t.dataId); // the new tensor's own reference, released when it is disposed
  return tf.engine().makeTensorFromDataId(t.dataId, t.shape, t.dtype);
}

/**
 * LeakyReLU's gradient through {@link leakyReluGrad} (the fused kernel on wasm, the stock formula
 * elsewhere), and the gradient of the fused kernel itself, which WGAN-GP's second-order gradient needs:
 * linear in dy with the same mask, zero in x. The mask's x is {@link detached}: its derivative is zero
 * almost everywhere, so a second-order gradient (WGAN-GP's penalty) needs nothing from the forward pass
 * that made x, and without the link the tape does not send zeros back through it (a whole backward pass
 * of D on x̂: its filter and input gradients of zeros, a sixth of a 64 px WGAN-GP step).
 */
export function registerLeakyReluGradients(): void {
  tf.registerGradient({
    kernelName: "LeakyRelu",
    inputsToSave: ["x"],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs?: tf.NamedAttrMap) => {
      const alpha = attrs!.alpha as number;
      const x = () => tuning.detachedMask ? detached(saved[0]) : saved[0];
      return { x: () => leakyReluGrad(dy as tf.Tensor, x(), alpha) };
    },
  });
  tf.registerGradient({
    kernelName: LEAKY_RELU_GRAD,
    inputsToSave: ["x"],
    gradFunc: (ddx: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs?: tf.NamedAttrMap) => {
      const alpha = attrs!.alpha as number;
      return {
        dy: () => leakyReluGrad(ddx as tf.Tensor, saved[0], alpha),
        x: () => tf.zerosLike(saved[0]),
      };
    },
  });
}
