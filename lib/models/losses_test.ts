import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { discriminatorLoss, generatorLoss, gradientPenalty, sigmoidCrossEntropy } from "./losses.ts";
import { haveWebGpu, randn, useBackend } from "./test_util.ts";

Deno.test("sigmoid cross-entropy equals its definition and is finite for large logits", async () => {
  await useBackend("cpu");
  const l = [-3, -0.5, 0, 2, 40], y = [0, 1, 0.9, 0.85, 1];
  const want = l.reduce((s, li, i) => {
    const p = 1 / (1 + Math.exp(-li));
    return s - (y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p + 1e-30));
  }, 0) / l.length;
  const got = sigmoidCrossEntropy(tf.tensor1d(l), tf.tensor1d(y)).dataSync()[0];
  assert.ok(Math.abs(got - want) < 1e-5, `${got} vs ${want}`);
  assert.ok(
    Number.isFinite(sigmoidCrossEntropy(tf.tensor1d([-500, 500]), tf.tensor1d([1, 0])).dataSync()[0]),
  );
});

Deno.test("DCGAN / LSGAN losses on known logits", async () => {
  await useBackend("cpu");
  const lf = tf.tensor2d([[0]]), lr = tf.tensor2d([[0]]), labels = tf.tensor2d([[1]]);
  assert.ok(Math.abs(discriminatorLoss("dcgan", lf, lr, labels).dataSync()[0] - Math.log(2)) < 1e-6);
  assert.ok(
    Math.abs(
      discriminatorLoss("lsgan", tf.tensor2d([[0.5]]), tf.tensor2d([[0.5]]), labels).dataSync()[0] - 0.25,
    ) < 1e-6,
  );
  assert.ok(Math.abs(generatorLoss("lsgan", tf.tensor2d([[0.5]])).dataSync()[0] - 0.25) < 1e-6);
  assert.equal(generatorLoss("wgan", tf.tensor2d([[1], [3]])).dataSync()[0], -2);
});

// The gradient penalty differentiated in the critic's weights (a gradient of a gradient) against central
// finite differences, on a tiny conv → LeakyReLU → dense critic. The penalty is piecewise smooth in w1 (the
// LeakyReLU slope pattern at the interpolated inputs switches where a pre-activation crosses 0): a point whose
// ±h steps switch the pattern has no meaningful finite difference and is skipped; at least 3 of the 4
// points of each weight are compared.
const webgpu = await haveWebGpu("the WGAN-GP finite-difference test on webgpu");
for (const backend of ["cpu", "wasm", "webgpu"] as const) {
  Deno.test({
    name: `WGAN-GP: d(penalty)/d(weights) matches finite differences (${backend})`,
    ignore: backend === "webgpu" && !webgpu,
    fn: () => finiteDifferences(backend),
  });
}

/** The test above on one backend (values read with `await data()`: webgpu has no synchronous read). */
async function finiteDifferences(backend: "cpu" | "wasm" | "webgpu"): Promise<void> {
  {
    await useBackend(backend);
    const [B, H, C, F] = [2, 6, 2, 3];
    const w1 = tf.variable(tf.tensor4d(randn(3 * 3 * C * F, 1, 0.5), [3, 3, C, F]));
    const w2 = tf.variable(tf.tensor2d(randn(3 * 3 * F, 2, 0.5), [3 * 3 * F, 1]));
    const critic = (x: tf.Tensor4D) =>
      tf.matMul(
        tf.reshape(tf.leakyRelu(tf.conv2d(x, w1 as tf.Tensor4D, 2, "same"), 0.2), [x.shape[0], -1]),
        w2,
      );
    const real = tf.tensor4d(randn(B * H * H * C, 3), [B, H, H, C]);
    const fake = tf.tensor4d(randn(B * H * H * C, 4), [B, H, H, C]);
    const eps = tf.tensor1d([0.3, 0.8]);
    const gp = () => gradientPenalty(critic, real, fake, eps);
    const xhat = tf.tidy(() => {
      const e = tf.reshape(eps, [-1, 1, 1, 1]);
      return tf.add(tf.mul(e, real), tf.mul(tf.sub(1, e), fake)) as tf.Tensor4D;
    });
    // The slope pattern of the LeakyReLU at the interpolated inputs, for the current w1.
    const pattern = async () => {
      const t = tf.conv2d(xhat, w1 as tf.Tensor4D, 2, "same");
      const s = [...await t.data()].map(Math.sign).join();
      t.dispose();
      return s;
    };
    const read = async (t: tf.Tensor) => {
      const v = await t.data();
      t.dispose();
      return v;
    };
    const { grads } = tf.variableGrads(gp, [w1, w2]);
    for (const v of [w1, w2] as tf.Variable[]) {
      const g = await grads[v.name].data();
      const base = (await v.data()).slice();
      let compared = 0;
      for (const i of [0, 5, Math.floor(base.length / 2), base.length - 1]) {
        const h = 1e-2;
        const patterns: string[] = [];
        const at = async (d: number) => {
          const p = base.slice();
          p[i] += d;
          v.assign(tf.tensor(p, v.shape));
          patterns.push(await pattern());
          return (await read(gp()))[0];
        };
        const fd = (await at(h) - await at(-h)) / (2 * h);
        v.assign(tf.tensor(base, v.shape));
        if (patterns[0] !== patterns[1] || patterns[0] !== await pattern()) continue; // a kink within ±h
        compared++;
        assert.ok(
          Math.abs(fd - g[i]) <= 2e-2 * Math.max(1, Math.abs(fd)),
          `${v.name}[${i}]: autodiff ${g[i]} vs finite differences ${fd}`,
        );
      }
      assert.ok(compared >= 3, `${v.name}: only ${compared} points away from a kink`);
    }
    tf.dispose([w1, w2, real, fake, eps, xhat, ...Object.values(grads)]);
  }
}
