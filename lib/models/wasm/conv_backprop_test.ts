/**
 * Tests of our convolution kernels: `Conv2DBackpropFilter` ({@link ./conv_backprop_filter.ts}) and
 * `Conv2DBackpropInput` ({@link ./conv_backprop_input.ts}), with the forward `Conv2D` ({@link ./conv2d.ts})
 * they run on, against the cpu backend under every path of {@link tuning} (each case runs all three).
 *
 * @module
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { type ConvCase, convCases, randn, relError, valuesOn } from "../test_util.ts";
import { tuning } from "./tuning.ts";

/** Random channels 1–6 (1–3 at batch 64). */
const cases = () =>
  convCases({
    seed: 7,
    kernels: [1, 2, 3, 4, 5],
    batch64: (i) => i % 5 === 0,
    extents: [8, 4],
    channels: (_, rng, big) => [1 + rng.int(big ? 3 : 6), 1 + rng.int(big ? 3 : 6)],
  });

const name = (c: ConvCase) => `x[${c.B},${c.H},${c.W},${c.Ci}] f${c.k}×${c.k}→${c.Co} stride ${c.s} ${c.pad}`;

Deno.test("wasm Conv2DBackpropFilter and Conv2DBackpropInput match the cpu backend (rel. error < 1e-4)", async () => {
  await checkConvKernels("default paths");
  const saved = { ...tuning };
  Object.assign(tuning, { simdFilterGrad: false }); // the filter gradient as XNNPACK's dilated convolution
  try {
    await checkConvKernels("filter gradient without the SIMD kernels");
  } finally {
    Object.assign(tuning, saved);
  }
});

Deno.test("wasm kernels' GEMM paths (im2col forward, im2colᵀ·dy filter gradient, many chunks) match the cpu backend", async () => {
  const saved = { ...tuning };
  Object.assign(tuning, {
    simdFilterGrad: false,
    filterGemmMinCo: 1,
    filterGemmMinPixels: 0,
    filterGemmStride1Only: false,
    im2colMaxCi: 1e9,
    packedFloats: 16,
    minChunk: 1,
    chunkFloats: 64,
  });
  try {
    await checkConvKernels("GEMM paths forced");
  } finally {
    Object.assign(tuning, saved);
  }
});

Deno.test("wasm filter gradient in batch chunks (dilated-convolution form) matches the cpu backend", async () => {
  const saved = { ...tuning };
  Object.assign(tuning, {
    simdFilterGrad: false,
    filterGemmMinCo: Infinity,
    filterChunkFloats: 1,
    filterChunkMinImages: 3,
  });
  try {
    await checkConvKernels("filter gradient in chunks of 3 images");
  } finally {
    Object.assign(tuning, saved);
  }
});

async function checkConvKernels(label: string): Promise<void> {
  let worst = 0;
  for (const [i, c] of cases().entries()) {
    const x = randn(c.B * c.H * c.W * c.Ci, 100 + i);
    const f = randn(c.k * c.k * c.Ci * c.Co, 200 + i);
    const outShape =
      tf.backend_util.computeConv2DInfo([c.B, c.H, c.W, c.Ci], [c.k, c.k, c.Ci, c.Co], c.s, 1, c.pad)
        .outShape;
    const dy = randn(outShape.reduce((a, b) => a * b, 1), 300 + i);
    const attrs = { strides: c.s, pad: c.pad, dataFormat: "NHWC" };
    const filterGrad = () =>
      tf.engine().runKernel("Conv2DBackpropFilter", {
        x: tf.tensor(x, [c.B, c.H, c.W, c.Ci]),
        dy: tf.tensor(dy, outShape),
      }, {
        ...attrs,
        filterShape: [c.k, c.k, c.Ci, c.Co],
      }) as tf.Tensor;
    const inputGrad = () =>
      tf.engine().runKernel("Conv2DBackpropInput", {
        dy: tf.tensor(dy, outShape),
        filter: tf.tensor(f, [c.k, c.k, c.Ci, c.Co]),
      }, {
        ...attrs,
        inputShape: [c.B, c.H, c.W, c.Ci],
      }) as tf.Tensor;
    const forward = () =>
      tf.conv2d(
        tf.tensor(x, [c.B, c.H, c.W, c.Ci]) as tf.Tensor4D,
        tf.tensor(f, [c.k, c.k, c.Ci, c.Co]) as tf.Tensor4D,
        c.s,
        c.pad,
      );
    const e0 = relError(await valuesOn("wasm", forward), await valuesOn("cpu", forward));
    assert.ok(e0 < 1e-4, `forward, ${name(c)}: relative error ${e0}`);
    const ef = relError(await valuesOn("wasm", filterGrad), await valuesOn("cpu", filterGrad));
    const ei = relError(await valuesOn("wasm", inputGrad), await valuesOn("cpu", inputGrad));
    assert.ok(ef < 1e-4, `filter gradient, ${name(c)}: relative error ${ef}`);
    assert.ok(ei < 1e-4, `input gradient, ${name(c)}: relative error ${ei}`);
    worst = Math.max(worst, e0, ef, ei);
  }
  console.log(`${label}: worst relative error over ${cases().length} shapes: ${worst.toExponential(2)}`);
}

Deno.test("gradients of tf.conv2dTranspose through the wasm kernels match the cpu backend", async () => {
  for (
    const [B, H, Ci, Co, k, s, pad] of [[2, 5, 3, 4, 5, 2, "same"], [3, 4, 2, 3, 3, 3, "valid"], [
      1,
      6,
      4,
      2,
      4,
      1,
      "same",
    ]] as const
  ) {
    const outH = pad === "same" ? H * s : (H - 1) * s + k;
    const x = randn(B * H * H * Ci, 1), f = randn(k * k * Co * Ci, 2), w = randn(B * outH * outH * Co, 3);
    const grads = (which: 0 | 1) => () => {
      const g = tf.grads((xx: tf.Tensor, ff: tf.Tensor) =>
        tf.sum(
          tf.mul(
            tf.conv2dTranspose(xx as tf.Tensor4D, ff as tf.Tensor4D, [B, outH, outH, Co], s, pad),
            tf.tensor(w, [B, outH, outH, Co]),
          ),
        )
      )([tf.tensor(x, [B, H, H, Ci]), tf.tensor(f, [k, k, Co, Ci])]);
      return g[which];
    };
    for (const which of [0, 1] as const) {
      const e = relError(await valuesOn("wasm", grads(which)), await valuesOn("cpu", grads(which)));
      assert.ok(
        e < 1e-4,
        `conv2dTranspose ${which ? "filter" : "input"} gradient (k ${k}, stride ${s}, ${pad}): ${e}`,
      );
    }
  }
});
