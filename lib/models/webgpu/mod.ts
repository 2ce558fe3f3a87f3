/**
 * Kernels for the tfjs `webgpu` backend: where a training step's costs were on webgpu (profiled kernel by
 * kernel with `bench/webgpu_profile.ts`), ours replace or fuse the stock ones.
 *
 * - the convolution filter gradient as one split-K matrix product per tap ({@link ./conv_backprop_filter.ts});
 * - Adam in three element-wise dispatches per variable instead of twelve ({@link ./adam_update.ts});
 * - LeakyReLU's gradient in one ({@link ./leaky_relu.ts}), through the gradients `../wasm/leaky_relu.ts`
 *   registers, which also spare WGAN-GP's second order a backward pass of zeros.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { ADAM_UPDATE } from "../wasm/adam_update.ts";
import { LEAKY_RELU_GRAD, registerLeakyReluGradients } from "../wasm/leaky_relu.ts";
import { adamWebGpu } from "./adam_update.ts";
import { makeConv2DBackpropFilter } from "./conv_backprop_filter.ts";
import { leakyReluGradWebGpu } from "./leaky_relu.ts";

/**
 * Switches read at each call (for benchmarks): `filterGradByTaps` false runs the stock filter gradient. The
 * fused Adam and LeakyReLU gradient follow the wasm switches `tuning.fusedAdam` and `tuning.fusedLeakyRelu`.
 */
export const webgpuKernels = { filterGradByTaps: true };

let registered = false;

/** Installs our kernels for backend `webgpu` (once; the backend must be registered). */
export function registerWebGpuKernels(): void {
  if (registered) return;
  const stockFilter = tf.getKernel("Conv2DBackpropFilter", "webgpu");
  if (!stockFilter) {
    throw new Error("register the webgpu backend (import @tensorflow/tfjs-backend-webgpu) first");
  }
  const kernels: [string, (a: never) => tf.TensorInfo | tf.TensorInfo[]][] = [
    [
      "Conv2DBackpropFilter",
      makeConv2DBackpropFilter(stockFilter.kernelFunc, () => webgpuKernels.filterGradByTaps),
    ],
    [ADAM_UPDATE, adamWebGpu],
    [LEAKY_RELU_GRAD, leakyReluGradWebGpu],
  ];
  for (const [kernelName, fn] of kernels) {
    if (tf.getKernel(kernelName, "webgpu")) tf.unregisterKernel(kernelName, "webgpu");
    tf.registerKernel({ kernelName, backendName: "webgpu", kernelFunc: fn as unknown as tf.KernelFunc });
  }
  registerLeakyReluGradients();
  registered = true;
}
