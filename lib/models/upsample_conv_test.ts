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

/**
 * The bilinear form naively: the image padded with `P` zero rows and columns, upsampled 2× bilinearly
 * (half-pixel centres) along H and W, convolved "valid", and the central 2H × 2W kept. So the convolution
 * sees the upsampled image beyond its border (0.25 of the edge row, then zeros), as the fused form does.
 */
function bilinearUpsampleConv(x: tf.Tensor4D, f: tf.Tensor4D): tf.Tensor4D {
  const [, H, W] = x.shape, k = f.shape[0], r = (k - 1) / 2, P = Math.ceil(r / 2) + 1;
  const up = bilinear2x(tf.pad(x, [[0, 0], [P, P], [P, P], [0, 0]]));
  const y = tf.conv2d(up, f, 1, "valid");
  return tf.slice(y, [0, 2 * P - r, 2 * P - r, 0], [-1, 2 * H, 2 * W, -1]) as tf.Tensor4D;
}

/** 2× bilinear upsampling (half-pixel centres, zeros outside the image) along H and W, naively with tf ops. */
function bilinear2x(x: tf.Tensor4D): tf.Tensor4D {
  const along = (t: tf.Tensor4D, axis: 1 | 2) => {
    const n = t.shape[axis];
    const pad: [number, number][] = [[0, 0], [0, 0], [0, 0], [0, 0]];
    pad[axis] = [1, 1];
    const p = tf.pad(t, pad);
    const at = (start: number) =>
      tf.slice(
        p,
        axis === 1 ? [0, start, 0, 0] : [0, 0, start, 0],
        axis === 1 ? [-1, n, -1, -1] : [-1, -1, n, -1],
      );
    const even = tf.add(tf.mul(at(0), 0.25), tf.mul(at(1), 0.75)); // row 2q: 0.25·x[q−1] + 0.75·x[q]
    const odd = tf.add(tf.mul(at(1), 0.75), tf.mul(at(2), 0.25)); // row 2q+1: 0.75·x[q] + 0.25·x[q+1]
    const both = tf.stack([even, odd], axis + 1); // interleave
    const shape = [...t.shape] as [number, number, number, number];
    shape[axis] = 2 * n;
    return tf.reshape(both, shape) as tf.Tensor4D;
  };
  return along(along(x, 1), 2);
}

Deno.test("upsampleConv2x bilinear equals 2× bilinear upsampling then a convolution, with its gradients", async () => {
  for (const k of [1, 3, 5]) {
    const [B, H, W, Ci, Co] = [2, 3, 4, 3, 2];
    const x = randn(B * H * W * Ci, 10 + k), f = randn(k * k * Ci * Co, 20 + k);
    const w = randn(B * 4 * H * W * Co, 30 + k);
    const loss = (fused: boolean) => (xx: tf.Tensor, ff: tf.Tensor) => {
      const y = fused
        ? upsampleConv2x(xx as tf.Tensor4D, ff as tf.Tensor4D, "bilinear")
        : bilinearUpsampleConv(xx as tf.Tensor4D, ff as tf.Tensor4D);
      return tf.sum(tf.mul(y, tf.tensor(w, y.shape)));
    };
    const value = (fused: boolean) => () =>
      loss(fused)(tf.tensor(x, [B, H, W, Ci]), tf.tensor(f, [k, k, Ci, Co]));
    const grad = (fused: boolean, which: 0 | 1) => () =>
      tf.grads(loss(fused))([tf.tensor(x, [B, H, W, Ci]), tf.tensor(f, [k, k, Ci, Co])])[which];
    for (const backend of ["cpu", "wasm"] as const) {
      assert.ok(relError(await valuesOn(backend, value(true)), await valuesOn("cpu", value(false))) < 1e-5);
      for (const which of [0, 1] as const) {
        const e = relError(
          await valuesOn(backend, grad(true, which)),
          await valuesOn("cpu", grad(false, which)),
        );
        assert.ok(e < 1e-5, `k ${k} ${which ? "filter" : "input"} gradient on ${backend}: ${e}`);
      }
    }
  }
  // A constant image upsamples to a constant away from the border, so a constant filter gives no checkerboard.
  const y = await valuesOn(
    "cpu",
    () =>
      upsampleConv2x(tf.ones([1, 6, 6, 1]) as tf.Tensor4D, tf.ones([5, 5, 1, 1]) as tf.Tensor4D, "bilinear"),
  );
  for (let i = 4; i < 8; i++) for (let j = 4; j < 8; j++) assert.ok(Math.abs(y[i * 12 + j] - 25) < 1e-4);
  assert.throws(
    () =>
      upsampleConv2x(
        tf.ones([1, 2, 2, 1]) as tf.Tensor4D,
        tf.ones([3, 3, 1, 1]) as tf.Tensor4D,
        "cubic" as "nearest",
      ),
    /expected upsampling nearest or bilinear/,
  );
});
