/**
 * Tests of the SIMD forward convolution ({@link ./conv_simd.ts}) against the cpu backend: one panel of output
 * channels or many, with and without fused multiply-add.
 *
 * @module
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { type ConvCase, convCases, randn, relError, valuesOn } from "../test_util.ts";
import { tuning } from "./tuning.ts";
import { simdOptions, simdUsesFma } from "./tile.ts";

/**
 * Shapes for every path: output channels ≡ 0 or 4 (mod 8), output widths ≡ 0–3 (mod 4), strides 1–3,
 * kernels 1–5, same/valid (padded copy or x read directly), odd sizes, batch 1 to 64. The input gradient's
 * phase convolutions (output channels = the layer's Ci) crop as well as pad.
 */
function cases(): ConvCase[] {
  const pairs = [[3, 32], [32, 8], [5, 12], [13, 4], [8, 16], [1, 20], [12, 8], [4, 28], [8, 3], [4, 1], [
    6,
    5,
  ], [3, 6]];
  return convCases({
    seed: 5,
    kernels: [1, 2, 3, 5],
    batch64: (i) => (i + 1) % 9 === 0,
    extents: [12, 5],
    channels: (i) => pairs[i % pairs.length] as [number, number],
  });
}

Deno.test("SIMD convolution (forward and the input gradient's phases) matches the cpu backend (rel. error < 1e-4)", async () => {
  const saved = { ...tuning };
  try {
    // One panel of output channels, or one 8-channel tile per panel; then without fused multiply-add.
    for (const [panelBytes, fma] of [[1 << 18, null], [1, null], [1 << 18, false]] as const) {
      Object.assign(tuning, { simdConv: true, simdPanelBytes: panelBytes });
      simdOptions.fma = fma;
      let worst = 0;
      for (const [i, c] of cases().entries()) {
        const x = randn(c.B * c.H * c.W * c.Ci, 700 + i), f = randn(c.k * c.k * c.Ci * c.Co, 800 + i);
        const info = tf.backend_util.computeConv2DInfo(
          [c.B, c.H, c.W, c.Ci],
          [c.k, c.k, c.Ci, c.Co],
          c.s,
          1,
          c.pad,
        );
        const dy = randn(info.outShape.reduce((a, b) => a * b, 1), 900 + i);
        const forward = () =>
          tf.conv2d(
            tf.tensor4d(x, [c.B, c.H, c.W, c.Ci]),
            tf.tensor4d(f, [c.k, c.k, c.Ci, c.Co]),
            c.s,
            c.pad,
          );
        // dx: convolutions of dy (Co channels) to Ci channels, by our kernels when Ci % 4 = 0.
        const inputGrad = () =>
          tf.engine().runKernel("Conv2DBackpropInput", {
            dy: tf.tensor(dy, info.outShape),
            filter: tf.tensor(f, [c.k, c.k, c.Ci, c.Co]),
          }, {
            strides: c.s,
            pad: c.pad,
            dataFormat: "NHWC",
            inputShape: [c.B, c.H, c.W, c.Ci],
          }) as tf.Tensor;
        const what = `x[${c.B},${c.H},${c.W},${c.Ci}] ${c.k}×${c.k}→${c.Co} stride ${c.s} ${c.pad}`;
        const e0 = relError(await valuesOn("wasm", forward), await valuesOn("cpu", forward));
        const e1 = relError(await valuesOn("wasm", inputGrad), await valuesOn("cpu", inputGrad));
        assert.ok(e0 < 1e-4, `forward ${what}: ${e0}`);
        assert.ok(e1 < 1e-4, `input gradient ${what}: ${e1}`);
        worst = Math.max(worst, e0, e1);
      }
      console.log(
        `panel ${panelBytes} B, FMA ${simdUsesFma()}: worst relative error over ${cases().length} shapes ${
          worst.toExponential(2)
        }`,
      );
    }
  } finally {
    Object.assign(tuning, saved);
    simdOptions.fma = null;
  }
});
