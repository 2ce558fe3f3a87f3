/**
 * LeakyReLU's gradient on the tfjs `webgpu` backend as one kernel ({@link LEAKY_RELU_GRAD}: dx = x > 0 ?
 * dy : α·dy) instead of `Greater`, `Multiply` and `Select`; `../wasm/leaky_relu.ts` registers the gradients
 * that call it, and a second-order gradient (WGAN-GP's penalty) through it.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { elementwiseProgram, type Info, type WebGpuBackend } from "./program.ts";

/** The kernel function of `LEAKY_RELU_GRAD` on webgpu. */
export function leakyReluGradWebGpu(
  args: { inputs: { dy: Info; x: Info }; backend: WebGpuBackend; attrs: tf.NamedAttrMap },
): Info {
  const { inputs: { dy, x }, backend, attrs } = args;
  const program = elementwiseProgram(
    "morphoganLeakyReluGrad",
    ["Dy", "X"],
    "alpha : f32,",
    x.shape,
    `let g = getDyByOutputIndex(index);
          setOutputAtIndex(index, select(g * uniforms.alpha, g, getXByOutputIndex(index) > 0.0));`,
  );
  return backend.runWebGPUProgram(program, [dy, x], "float32", [{
    type: "float32",
    data: [attrs.alpha as number],
  }]);
}
