import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { depthToSpace2x, upsampleConv2x } from "./upsample_conv.ts";
import { randn, relError, valuesOn } from "./test_util.ts";

Deno.test("upsampleConv2x equals 2× nearest upsampling then a 'same' convolution (k = 1, 3, 5, 7)", async () => {
  for (const k of [1, 3, 5, 7]) {
    const [B, H, W, Ci, Co] = [2, 3, 5, 3, 4];
    const x = randn(B * H * W * Ci, k), f = randn(k * k * Ci * Co, k + 1);
    const fused = () => upsampleConv2x(tf.tensor4d(x, [B, H, W, Ci]), tf.tensor4d(f, [k, k, Ci, Co]));
    const naive = () =>
      tf.conv2d(
        tf.image.resizeNearestNeighbor(tf.tensor4d(x, [B, H, W, Ci]), [2 * H, 2 * W]),
        tf.tensor4d(f, [k, k, Ci, Co]),
        1,
        "same",
      );
    for (const backend of ["cpu", "wasm"] as const) {
      const e = relError(await valuesOn(backend, fused), await valuesOn("cpu", naive));
      assert.ok(e < 1e-5, `k ${k} on ${backend}: relative error ${e}`);
    }
  }
});

// The reference is the naive form on wasm: tfjs-backend-cpu 4.22's ResizeNearestNeighborGrad is wrong for
// this case (relative error 1.4 against summing the 2×2 blocks of dy), the wasm one is right.
Deno.test("upsampleConv2x's gradients equal those of the naive form", async () => {
  const [B, H, Ci, Co, k] = [2, 4, 3, 2, 5];
  const x = randn(B * H * H * Ci, 1), f = randn(k * k * Ci * Co, 2), w = randn(B * 4 * H * H * Co, 3);
  const grad = (fused: boolean, which: 0 | 1) => () =>
    tf.grads((xx: tf.Tensor, ff: tf.Tensor) => {
      const y = fused ? upsampleConv2x(xx as tf.Tensor4D, ff as tf.Tensor4D) : tf.conv2d(
        tf.image.resizeNearestNeighbor(xx as tf.Tensor4D, [2 * H, 2 * H]),
        ff as tf.Tensor4D,
        1,
        "same",
      );
      return tf.sum(tf.mul(y, tf.tensor(w, y.shape)));
    })([tf.tensor(x, [B, H, H, Ci]), tf.tensor(f, [k, k, Ci, Co])])[which];
  for (const which of [0, 1] as const) {
    const want = await valuesOn("wasm", grad(false, which));
    for (const backend of ["cpu", "wasm"] as const) {
      const e = relError(await valuesOn(backend, grad(true, which)), want);
      assert.ok(e < 1e-5, `${which ? "filter" : "input"} gradient on ${backend}: ${e}`);
    }
  }
});

Deno.test("depthToSpace2x equals tf.depthToSpace", async () => {
  const x = randn(2 * 3 * 4 * 8, 5);
  const e = relError(
    await valuesOn("cpu", () => depthToSpace2x(tf.tensor4d(x, [2, 3, 4, 8]))),
    await valuesOn("cpu", () => tf.depthToSpace(tf.tensor4d(x, [2, 3, 4, 8]), 2)),
  );
  assert.equal(e, 0);
  assert.throws(() => depthToSpace2x(tf.zeros([1, 2, 2, 3]) as tf.Tensor4D), /divisible by 4/);
});
