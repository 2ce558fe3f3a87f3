/**
 * Adam (Kingma & Ba) over named tf variables, with its state (step count, first and second moments)
 * readable and restorable exactly, for checkpoints. Same update as Keras / tfjs:
 * lr_t = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ); m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; θ ← θ − lr_t·m/(√v + ε).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { ADAM_UPDATE, haveFusedAdam } from "./wasm/mod.ts";

/** Adam's hyper-parameters. `lr` may be changed between steps (decay). */
export interface AdamConfig {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Adam over a fixed, named list of variables. */
export class Adam {
  /** Hyper-parameters; `lr` is read at every step. */
  config: AdamConfig;
  /** Number of updates applied so far. */
  t = 0;
  readonly #vars: Map<string, tf.Variable>;
  readonly #m = new Map<string, tf.Variable>();
  readonly #v = new Map<string, tf.Variable>();

  /**
   * @param vars the variables, by a stable name (used for state I/O)
   */
  constructor(vars: Map<string, tf.Variable>, config: AdamConfig) {
    this.config = { ...config };
    this.#vars = vars;
    for (const [name, v] of vars) {
      this.#m.set(name, tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
      this.#v.set(name, tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
    }
  }

  /**
   * Applies one update.
   *
   * @param grads gradients keyed by the *tf variable name* (as `tf.variableGrads` returns them)
   */
  apply(grads: tf.NamedTensorMap): void {
    const { lr, beta1: b1, beta2: b2, epsilon } = this.config;
    this.t++;
    const lrT = lr * Math.sqrt(1 - Math.pow(b2, this.t)) / (1 - Math.pow(b1, this.t));
    const fused = haveFusedAdam();
    tf.tidy(() => {
      for (const [name, p] of this.#vars) {
        const g = grads[p.name];
        if (!g) throw new Error(`Adam: no gradient for '${name}'`);
        const m = this.#m.get(name)!, v = this.#v.get(name)!;
        if (fused) {
          // The same float32 operations as below, in one pass (wasm).
          const [p2, m2, v2] = tf.engine().runKernel(ADAM_UPDATE, { p, m, v, g }, {
            lr: lrT,
            beta1: b1,
            beta2: b2,
            epsilon,
          }) as tf.Tensor[];
          m.assign(m2);
          v.assign(v2);
          p.assign(p2);
          continue;
        }
        const m2 = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
        const v2 = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
        m.assign(m2);
        v.assign(v2);
        p.assign(tf.sub(p, tf.div(tf.mul(m2, lrT), tf.add(tf.sqrt(v2), epsilon))));
      }
    });
  }

  /** The moments by `m:<name>` / `v:<name>` (copies) and the step count. */
  async state(): Promise<{ t: number; tensors: Map<string, Float32Array> }> {
    const tensors = new Map<string, Float32Array>();
    for (const [name, m] of this.#m) {
      tensors.set(`m:${name}`, new Float32Array(await m.data() as Float32Array));
    }
    for (const [name, v] of this.#v) {
      tensors.set(`v:${name}`, new Float32Array(await v.data() as Float32Array));
    }
    return { t: this.t, tensors };
  }

  /** Restores a {@link state}; every moment must be present with the variable's size. */
  setState(state: { t: number; tensors: Map<string, Float32Array> }): void {
    this.t = state.t;
    tf.tidy(() => {
      for (const [kind, map] of [["m", this.#m], ["v", this.#v]] as const) {
        for (const [name, variable] of map) {
          const values = state.tensors.get(`${kind}:${name}`);
          if (!values || values.length !== variable.size) {
            throw new Error(`Adam state lacks '${kind}:${name}' of ${variable.size} values`);
          }
          variable.assign(tf.tensor(values, variable.shape));
        }
      }
    });
  }

  /** Frees the moment variables. */
  dispose(): void {
    for (const v of [...this.#m.values(), ...this.#v.values()]) v.dispose();
  }
}
