/**
 * Tests of the SIMD filter gradient ({@link ./filter_grad_simd.ts}) against the cpu backend on every path of
 * the kernels.
 *
 * @module
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { type ConvCase, convCases, randn, relError, valuesOn } from "../test_util.ts";
import { tuning } from "./tuning.ts";
import { filterGradSimdSupports } from "./filter_grad_simd.ts";
import { simdOptions, simdUsesFma } from "./tile.ts";

/**
 * Shapes for every path of the kernels: Co a multiple of 4 (x broadcast) or not (roles swapped, Ci a
 * multiple of 4); remainders of 1–3 broadcast channels and of 4 vector channels; strides 1–3, kernels 1–5,
 * odd sizes, batch 1 to 64.
 */
function cases(): ConvCase[] {
  const pairs = [[3, 32], [32, 3], [5, 12], [13, 8], [8, 6], [4, 4], [2, 20], [12, 7], [1, 16], [6, 4]];
  return convCases({
    seed: 11,
    kernels: [1, 3, 4, 5],
    batch64: (i) => (i + 1) % 7 === 0,
    extents: [11, 5],
    channels: (i) => pairs[i % pairs.length] as [number, number],
  });
}

async function check(label: string): Promise<void> {
  let worst = 0;
  for (const [i, c] of cases().entries()) {
    assert.ok(
      filterGradSimdSupports({ ...c, OH: 1, OW: 1, fh: c.k, fw: c.k, sh: c.s, sw: c.s, pt: 0, pl: 0 }),
    );
    const info = tf.backend_util.computeConv2DInfo(
      [c.B, c.H, c.W, c.Ci],
      [c.k, c.k, c.Ci, c.Co],
      c.s,
      1,
      c.pad,
    );
    const x = randn(c.B * c.H * c.W * c.Ci, 500 + i),
      dy = randn(info.outShape.reduce((a, b) => a * b, 1), 600 + i);
    const grad = () =>
      tf.engine().runKernel("Conv2DBackpropFilter", {
        x: tf.tensor(x, [c.B, c.H, c.W, c.Ci]),
        dy: tf.tensor(dy, info.outShape),
      }, { strides: c.s, pad: c.pad, dataFormat: "NHWC", filterShape: [c.k, c.k, c.Ci, c.Co] }) as tf.Tensor;
    const e = relError(await valuesOn("wasm", grad), await valuesOn("cpu", grad));
    assert.ok(
      e < 1e-4,
      `${label}: x[${c.B},${c.H},${c.W},${c.Ci}] ${c.k}×${c.k}→${c.Co} stride ${c.s} ${c.pad}: ${e}`,
    );
    worst = Math.max(worst, e);
  }
  console.log(
    `${label}: worst relative error over ${cases().length} shapes ${
      worst.toExponential(2)
    }, FMA ${simdUsesFma()}`,
  );
}

Deno.test("SIMD filter gradient matches the cpu backend on every path (rel. error < 1e-4)", async () => {
  const saved = { ...tuning };
  try {
    for (const minPixels of [32, 1, 1e6]) { // rows grouped per call: default, one row, the whole rectangle
      Object.assign(tuning, { simdFilterGrad: true, simdMinPixels: minPixels });
      await check(`minPixels ${minPixels}`);
    }
    simdOptions.fma = false; // the kernels of an engine without relaxed SIMD: multiply, then add
    await check("without fused multiply-add");
  } finally {
    Object.assign(tuning, saved);
    simdOptions.fma = null;
  }
});

Deno.test("SIMD filter gradient: neither channel count a multiple of 4 is left to the other kernels", () => {
  const g = { B: 1, H: 5, W: 5, Ci: 3, OH: 5, OW: 5, Co: 5, fh: 3, fw: 3, sh: 1, sw: 1, pt: 1, pl: 1 };
  assert.equal(filterGradSimdSupports(g), false);
  assert.equal(filterGradSimdSupports({ ...g, Co: 8 }), true);
  assert.equal(filterGradSimdSupports({ ...g, Ci: 4 }), true);
});
