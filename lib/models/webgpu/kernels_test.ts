/**
 * Our webgpu kernels give the values of the reference formulas: the filter gradient by taps against the cpu
 * backend's `Conv2DBackpropFilter` over strides, paddings and odd channel counts; the fused Adam and
 * LeakyReLU gradient against the unfused ops. They run on a software adapter (lavapipe) without a GPU, and
 * skip with a message where there is no adapter at all.
 *
 * @module
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Adam } from "../adam.ts";
import { haveWebGpu, randn, relError, useBackend } from "../test_util.ts";
import { tuning } from "../wasm/mod.ts";
import { leakyReluGrad } from "../wasm/leaky_relu.ts";
import { webgpuKernels } from "./mod.ts";

const webgpu = await haveWebGpu("the webgpu kernel tests");

async function onBackend(name: "cpu" | "webgpu", f: () => tf.Tensor): Promise<Float32Array> {
  await useBackend(name);
  const t = tf.tidy(f);
  const v = await t.data() as Float32Array;
  t.dispose();
  return v;
}

Deno.test({
  name: "webgpu filter gradient by taps = the cpu backend's, over strides, paddings and channel counts",
  ignore: !webgpu,
  async fn() {
    const cases = [
      { B: 2, H: 9, W: 7, Ci: 3, Co: 5, k: 5, s: 2, pad: "same" as const },
      { B: 3, H: 8, W: 8, Ci: 4, Co: 8, k: 5, s: 1, pad: "same" as const },
      { B: 1, H: 10, W: 11, Ci: 6, Co: 3, k: 3, s: 2, pad: "valid" as const },
      { B: 2, H: 6, W: 6, Ci: 1, Co: 1, k: 1, s: 1, pad: "valid" as const },
      { B: 4, H: 12, W: 12, Ci: 8, Co: 16, k: 4, s: 3, pad: "same" as const },
    ];
    for (const [i, c] of cases.entries()) {
      const x = randn(c.B * c.H * c.W * c.Ci, 10 + i);
      const shape = [c.k, c.k, c.Ci, c.Co] as [number, number, number, number];
      const oh = c.pad === "same" ? Math.ceil(c.H / c.s) : Math.ceil((c.H - c.k + 1) / c.s);
      const ow = c.pad === "same" ? Math.ceil(c.W / c.s) : Math.ceil((c.W - c.k + 1) / c.s);
      const dy = randn(c.B * oh * ow * c.Co, 20 + i);
      const f = () =>
        tf.engine().runKernel("Conv2DBackpropFilter", {
          x: tf.tensor4d(x, [c.B, c.H, c.W, c.Ci]),
          dy: tf.tensor4d(dy, [c.B, oh, ow, c.Co]),
        }, {
          strides: [c.s, c.s],
          pad: c.pad,
          dataFormat: "NHWC",
          filterShape: shape,
        }) as tf.Tensor;
      const want = await onBackend("cpu", f);
      const taps = await onBackend("webgpu", f);
      webgpuKernels.filterGradByTaps = false;
      const stock = await onBackend("webgpu", f).finally(() => webgpuKernels.filterGradByTaps = true);
      assert.ok(relError(taps, want) < 1e-5, `case ${i} ${JSON.stringify(c)}: ${relError(taps, want)}`);
      assert.ok(relError(stock, want) < 1e-5, `case ${i}: the stock kernel ${relError(stock, want)}`);
    }
  },
});

Deno.test({
  name: "webgpu fused Adam and LeakyReLU gradient = the unfused ops on the cpu backend",
  ignore: !webgpu,
  async fn() {
    const n = 1000, p0 = randn(n, 1), g1 = randn(n, 2), g2 = randn(n, 3, 1e-3);
    const adamRun = async (backend: "cpu" | "webgpu") => {
      await useBackend(backend);
      const p = tf.variable(tf.tensor1d(p0), true, `p_${backend}_${Math.random()}`);
      const adam = new Adam(new Map([["p", p]]), { lr: 2e-4, beta1: 0.5, beta2: 0.999, epsilon: 1e-8 });
      for (const g of [g1, g2]) tf.tidy(() => adam.apply({ [p.name]: tf.tensor1d(g) }));
      const out = [await p.data() as Float32Array, ...(await adam.state()).tensors.values()];
      adam.dispose();
      p.dispose();
      return out;
    };
    const [cpu, gpu] = [await adamRun("cpu"), await adamRun("webgpu")];
    assert.equal(tuning.fusedAdam, true);
    cpu.forEach((want, i) =>
      assert.ok(relError(gpu[i], want) < 1e-6, `Adam output ${i}: ${relError(gpu[i], want)}`)
    );

    const x = randn(n, 4), dy = randn(n, 5);
    x[0] = 0; // the boundary: x > 0 is false at 0
    const f = () => leakyReluGrad(tf.tensor1d(dy), tf.tensor1d(x), 0.2);
    const want = await onBackend("cpu", f), got = await onBackend("webgpu", f);
    assert.ok(tf.getKernel("MorphoganLeakyReluGrad", "webgpu"), "the fused kernel is registered on webgpu");
    assert.deepEqual(Array.from(got), Array.from(want));
  },
});
