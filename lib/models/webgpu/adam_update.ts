/**
 * Adam on the tfjs `webgpu` backend: {@link ADAM_UPDATE} (used by `../adam.ts`) in three element-wise
 * dispatches per variable (m′, v′, p′) instead of twelve, with the hyper-parameters as uniforms rather than
 * five scalar tensors uploaded per variable and step. The same formula as the unfused ops:
 * m′ = m·β₁ + g·(1 − β₁); v′ = v·β₂ + g²·(1 − β₂); p′ = p − m′·lr_t / (√v′ + ε).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { elementwiseProgram, type Info, type Uniform, type WebGpuBackend } from "./program.ts";

const M = "getMByOutputIndex(index) * uniforms.beta1 + getGByOutputIndex(index) * uniforms.oneMinusBeta1";
const V = "getVByOutputIndex(index) * uniforms.beta2 + " +
  "getGByOutputIndex(index) * getGByOutputIndex(index) * uniforms.oneMinusBeta2";
// 1 − β is taken in double precision here, as the unfused ops take it (in float32 it differs: 1 − 0.999).
const UNIFORMS =
  "lr : f32, beta1 : f32, beta2 : f32, epsilon : f32, oneMinusBeta1 : f32, oneMinusBeta2 : f32,";

/** The kernel function of {@link ADAM_UPDATE} on webgpu: outputs [p′, m′, v′]. */
export function adamWebGpu(
  args: { inputs: { p: Info; m: Info; v: Info; g: Info }; backend: WebGpuBackend; attrs: tf.NamedAttrMap },
): Info[] {
  const { inputs: { p, m, v, g }, backend, attrs } = args;
  const [lr, beta1, beta2, epsilon] = (["lr", "beta1", "beta2", "epsilon"] as const).map((k) =>
    attrs[k] as number
  );
  const uniforms: Uniform[] = [lr, beta1, beta2, epsilon, 1 - beta1, 1 - beta2].map((x) => ({
    type: "float32",
    data: [x],
  }));
  const run = (key: string, names: string[], inputs: Info[], body: string) =>
    backend.runWebGPUProgram(
      elementwiseProgram(key, names, UNIFORMS, p.shape, body),
      inputs,
      "float32",
      uniforms,
    );
  const m2 = run("morphoganAdamM", ["M", "G"], [m, g], `setOutputAtIndex(index, ${M});`);
  const v2 = run("morphoganAdamV", ["V", "G"], [v, g], `setOutputAtIndex(index, ${V});`);
  const p2 = run(
    "morphoganAdamP",
    ["P", "M", "V"],
    [p, m2, v2],
    "setOutputAtIndex(index, getPByOutputIndex(index) - getMByOutputIndex(index) * uniforms.lr / " +
      "(sqrt(getVByOutputIndex(index)) + uniforms.epsilon));",
  );
  return [p2, m2, v2];
}
