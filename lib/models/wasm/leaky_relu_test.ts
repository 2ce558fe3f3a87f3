/**
 * Tests of LeakyReLU's kernels ({@link ./leaky_relu.ts}): bit for bit the stock kernels, and the detached
 * mask in WGAN-GP's penalty.
 *
 * @module
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { randn, relError, useBackend } from "../test_util.ts";
import { gradientPenalty, registerSecondOrderGradients } from "../losses.ts";
import { leakyReluGrad } from "./leaky_relu.ts";
import { tuning } from "./tuning.ts";
import { assertSameBits, threeWays } from "./test_util.ts";

Deno.test("wasm LeakyRelu, its fused gradient and its second-order gradient equal the stock kernels bit for bit and match cpu", async () => {
  for (const [shape, seed] of [[[64, 7, 5, 3], 1], [[1, 9, 11, 8], 2], [[5, 1], 3]] as const) {
    const n = shape.reduce((a: number, b: number) => a * b, 1);
    // Include exact zeros of both signs, where x > 0 and x < 0 disagree with the sign bit.
    const xv = randn(n, seed).map((v, i) => i % 17 === 0 ? 0 : i % 19 === 0 ? -0 : v);
    const dyv = randn(n, seed + 10);
    const x = () => tf.tensor(xv, shape as unknown as number[]);
    const dy = () => tf.tensor(dyv, shape as unknown as number[]);
    const cases: [string, () => tf.Tensor][] = [
      ["leakyRelu", () => tf.leakyRelu(x(), 0.2)],
      ["leakyReluGrad", () => leakyReluGrad(dy(), x(), 0.2)],
      ["gradient", () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(t, 0.3), dy())))(x())],
      // d/dw Σ (∂/∂t Σ leakyRelu(w·t)·dy)² : a gradient of a gradient, as WGAN-GP takes.
      ["second order", () => {
        registerSecondOrderGradients(); // the stock formula's Greater
        return tf.grad((w: tf.Tensor) => {
          const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(tf.mul(t, w), 0.2), dy())))(x());
          return tf.sum(tf.square(g));
        })(tf.scalar(1.5));
      }],
    ];
    for (const [what, f] of cases) {
      const { on, off, cpu } = await threeWays(f);
      assertSameBits(on, off, `${what} ${shape}`);
      assert.ok(
        relError(on, cpu) < 1e-5,
        `${what} ${shape}: relative error ${relError(on, cpu)} against cpu`,
      );
    }
  }
});

Deno.test("WGAN-GP's penalty gradient with LeakyReLU's mask detached: same values, no backward pass through D(x̂)", async () => {
  await useBackend("wasm");
  const [B, H, C] = [3, 8, 4];
  const w1 = tf.variable(tf.tensor4d(randn(3 * 3 * C * 8, 1, 0.4), [3, 3, C, 8]));
  const w2 = tf.variable(tf.tensor4d(randn(3 * 3 * 8 * 8, 2, 0.3), [3, 3, 8, 8]));
  const w3 = tf.variable(tf.tensor2d(randn(4 * 4 * 8, 3, 0.3), [4 * 4 * 8, 1]));
  const critic = (x: tf.Tensor4D) => {
    const h1 = tf.leakyRelu(tf.conv2d(x, w1 as tf.Tensor4D, 1, "same"), 0.2) as tf.Tensor4D;
    const h2 = tf.leakyRelu(tf.conv2d(h1, w2 as tf.Tensor4D, 2, "same"), 0.2);
    return tf.matMul(tf.reshape(h2, [B, -1]), w3);
  };
  const real = tf.tensor4d(randn(B * H * H * C, 4), [B, H, H, C]);
  const fake = tf.tensor4d(randn(B * H * H * C, 5), [B, H, H, C]);
  const eps = tf.tensor1d([0.2, 0.5, 0.9]);
  const saved = { ...tuning };
  const run = async (detachedMask: boolean) => {
    Object.assign(tuning, { detachedMask });
    const before = tf.memory().numTensors;
    let grads: Float32Array[] = [];
    const info = await tf.profile(() => {
      const { value, grads: g } = tf.variableGrads(() => gradientPenalty(critic, real, fake, eps), [
        w1,
        w2,
        w3,
      ]);
      grads = [w1, w2, w3].map((v) => g[v.name].dataSync() as Float32Array);
      tf.dispose([value, ...Object.values(g)]);
    });
    assert.equal(tf.memory().numTensors, before, `detachedMask ${detachedMask}: no tensor leaks`);
    const filterGrads = info.kernels.filter((k) => k.name === "Conv2DBackpropFilter").length;
    return { grads, filterGrads };
  };
  try {
    const on = await run(true), off = await run(false);
    on.grads.forEach((g, i) =>
      assert.ok(relError(g, off.grads[i]) < 1e-6, `w${i + 1}: ${relError(g, off.grads[i])}`)
    );
    // Without the detach, zeros flow back through both convolutions of D(x̂): two more filter gradients.
    assert.equal(
      off.filterGrads - on.filterGrads,
      2,
      `filter gradients: ${on.filterGrads} vs ${off.filterGrads}`,
    );
  } finally {
    Object.assign(tuning, saved);
    tf.dispose([w1, w2, w3, real, fake, eps]);
  }
});
