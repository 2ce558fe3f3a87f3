/**
 * Kernels for the tfjs `wasm` backend: the compute layer under lib/models' GANs on wasm.
 *
 * Convolutions run on our WebAssembly SIMD kernels ({@link ./tile.ts}: register-tiled, fused multiply-add
 * through relaxed SIMD, generated at run time by the assembler of {@link ./asm.ts}) where the channel counts
 * allow, and formulations on the backend's XNNPACK forward `Conv2D` elsewhere. tfjs-backend-wasm 4.22 has no
 * `Conv2DBackpropFilter` and a slow scalar `Conv2DBackpropInput`; both are forward convolutions in disguise:
 *
 * - the forward `Conv2D` ({@link ./conv2d.ts}, {@link ./conv_simd.ts});
 * - the filter gradient ({@link ./conv_backprop_filter.ts}, {@link ./filter_grad_simd.ts});
 * - the input gradient by stride phases ({@link ./conv_backprop_input.ts});
 * - `BatchMatMul` as an XNNPACK 1×1 convolution ({@link ./batch_matmul.ts}).
 *
 * Around them, the step's many small kernels (a 32 px, w = 0.25 training step ran 1132 kernels, a third of
 * its time outside the convolutions) get cheaper, each bit for bit the stock result: `Identity` and `Cast`
 * share buffers ({@link ./identity.ts}), LeakyReLU and its gradient are fused ({@link ./leaky_relu.ts}),
 * `Sum` / `Mean` over leading axes are column sums ({@link ./reduce.ts}), and Adam updates a variable in one
 * kernel ({@link ./adam_update.ts}).
 *
 * {@link registerWasmKernels} ({@link ./register.ts}) installs them all for backend `wasm`, so `tf.conv2d`'s
 * gradients, `tf.conv2dTranspose` and layers use them unchanged; {@link tuning} ({@link ./tuning.ts}) picks
 * between the formulations.
 *
 * @module
 */
export { registerWasmKernels } from "./register.ts";
export { tuning } from "./tuning.ts";
export { ADAM_UPDATE, haveFusedAdam } from "./adam_update.ts";
export { LEAKY_RELU_GRAD, leakyReluGrad } from "./leaky_relu.ts";
export { conv2DBackpropFilterWasm } from "./conv_backprop_filter.ts";
export { conv2DBackpropInputWasm } from "./conv_backprop_input.ts";
export { simdOptions, simdUsesFma } from "./tile.ts";
export { startWasmThreads } from "./threads.ts";
