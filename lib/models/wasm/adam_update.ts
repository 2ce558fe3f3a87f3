/**
 * Adam updates a variable in one kernel on the tfjs `wasm` backend ({@link ADAM_UPDATE}, used by
 * `../adam.ts`) instead of 12; bit for bit the unfused result.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { heapF32, type Info } from "./heap.ts";
import { tuning } from "./tuning.ts";

/** Name of the fused Adam kernel (wasm only): inputs p, m, v, g; outputs p′, m′, v′. */
export const ADAM_UPDATE = "MorphoganAdam";

/**
 * One Adam update of one variable in one pass, bit for bit the float32 ops of the unfused formula:
 * m′ = m·β₁ + g·(1 − β₁); v′ = v·β₂ + g²·(1 − β₂); p′ = p − m′·lr_t / (√v′ + ε).
 */
export function adamWasm(
  args: { inputs: { p: Info; m: Info; v: Info; g: Info }; backend: BackendWasm; attrs: tf.NamedAttrMap },
): Info[] {
  const { inputs: { p, m, v, g }, backend, attrs } = args;
  const f = Math.fround;
  const b1 = f(attrs.beta1 as number), c1 = f(1 - (attrs.beta1 as number));
  const b2 = f(attrs.beta2 as number), c2 = f(1 - (attrs.beta2 as number));
  const lr = f(attrs.lr as number), eps = f(attrs.epsilon as number);
  const p2 = backend.makeOutput(p.shape, "float32");
  const m2 = backend.makeOutput(p.shape, "float32");
  const v2 = backend.makeOutput(p.shape, "float32");
  const ps = heapF32(backend, p),
    ms = heapF32(backend, m),
    vs = heapF32(backend, v),
    gs = heapF32(backend, g);
  const po = heapF32(backend, p2), mo = heapF32(backend, m2), vo = heapF32(backend, v2);
  for (let i = 0; i < ps.length; i++) {
    const gi = gs[i];
    const mi = f(f(ms[i] * b1) + f(gi * c1));
    const vi = f(f(vs[i] * b2) + f(f(gi * gi) * c2));
    mo[i] = mi;
    vo[i] = vi;
    po[i] = ps[i] - f(f(mi * lr) / f(f(Math.sqrt(vi)) + eps));
  }
  return [p2, m2, v2];
}

/** True when the active backend has the fused Adam kernel and it is enabled ({@link tuning}). */
export function haveFusedAdam(): boolean {
  return tuning.fusedAdam && !!tf.getKernel(ADAM_UPDATE, tf.getBackend());
}
