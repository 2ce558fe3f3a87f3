import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { randn, relError, valuesOn } from "./test_util.ts";
import { Rng } from "./rng.ts";
import { tuning } from "./wasm_kernels.ts";
import { convSimdSupports } from "./simd_conv.ts";

/**
 * Shapes for every path: output channels ≡ 0 or 4 (mod 8), output widths ≡ 0–3 (mod 4), strides 1–3,
 * kernels 1–5, same/valid (padded copy or x read directly), odd sizes, batch 1 to 64. The input gradient's
 * phase convolutions (output channels = the layer's Ci) crop as well as pad.
 */
function cases() {
  const rng = new Rng(5);
  const out: {
    B: number;
    H: number;
    W: number;
    Ci: number;
    Co: number;
    k: number;
    s: number;
    pad: "same" | "valid";
  }[] = [];
  const channels = [[3, 32], [32, 8], [5, 12], [13, 4], [8, 16], [1, 20], [12, 8], [4, 28]];
  let i = 0;
  for (const s of [1, 2, 3]) {
    for (const k of [1, 2, 3, 5]) {
      for (const pad of ["same", "valid"] as const) {
        const [Ci, Co] = channels[i++ % channels.length];
        const B = i % 9 === 0 ? 64 : 1 + rng.int(3);
        out.push({
          B,
          H: k + rng.int(B === 64 ? 5 : 12),
          W: k + rng.int(B === 64 ? 5 : 12),
          Ci,
          Co,
          k,
          s,
          pad,
        });
      }
    }
  }
  return out;
}

Deno.test("SIMD convolution (forward and the input gradient's phases) matches the cpu backend (rel. error < 1e-4)", async () => {
  const saved = { ...tuning };
  try {
    for (const panelBytes of [1 << 18, 1]) { // one panel of output channels, or one 8-channel tile per panel
      Object.assign(tuning, { simdConv: true, simdPanelBytes: panelBytes });
      let worst = 0;
      for (const [i, c] of cases().entries()) {
        assert.ok(convSimdSupports(c.Co));
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
        `panel ${panelBytes} B: worst relative error over ${cases().length} shapes ${worst.toExponential(2)}`,
      );
    }
  } finally {
    Object.assign(tuning, saved);
  }
});

Deno.test("SIMD convolution takes output channels in multiples of 4 only", () => {
  assert.equal(convSimdSupports(3), false);
  assert.equal(convSimdSupports(4), true);
  assert.equal(convSimdSupports(12), true);
});
