import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { type ConvCase, convCases, randn, relError, useBackend, valuesOn } from "../test_util.ts";
import { leakyReluGrad, tuning } from "./kernels.ts";
import { Adam } from "../adam.ts";
import { gradientPenalty, registerSecondOrderGradients } from "../losses.ts";

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

Deno.test("wasm BatchMatMul (1×1-convolution path) matches the cpu backend with transposes and ranks 2 and 3", async () => {
  for (const [M, K, N] of [[3, 5, 7], [37, 64, 10], [1, 9, 1]]) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        for (const rank3 of [false, true]) {
          const a = randn(M * K, M + K), b = randn(K * N, K + N);
          const lead = rank3 ? [1] : [];
          const f = () =>
            tf.matMul(
              tf.tensor(a, [...lead, ...(ta ? [K, M] : [M, K])]) as unknown as tf.Tensor2D,
              tf.tensor(b, [...lead, ...(tb ? [N, K] : [K, N])]) as unknown as tf.Tensor2D,
              ta,
              tb,
            );
          const e = relError(await valuesOn("wasm", f), await valuesOn("cpu", f));
          assert.ok(e < 1e-5, `matMul ${M}×${K}×${N} ta ${ta} tb ${tb} rank3 ${rank3}: ${e}`);
        }
      }
    }
  }
});

/** Runs `f` on wasm with the new kernels on, on wasm with them off, and on cpu. */
async function threeWays(
  f: () => tf.Tensor,
): Promise<{ on: Float32Array; off: Float32Array; cpu: Float32Array }> {
  const saved = { ...tuning };
  const on = await valuesOn("wasm", f);
  Object.assign(tuning, {
    shareIdentity: false,
    fusedLeakyRelu: false,
    leadingReductions: false,
    fusedAdam: false,
  });
  let off: Float32Array;
  try {
    off = await valuesOn("wasm", f);
  } finally {
    Object.assign(tuning, saved);
  }
  return { on, off, cpu: await valuesOn("cpu", f) };
}

function assertSameBits(a: Float32Array, b: Float32Array, what: string): void {
  const ai = new Int32Array(a.buffer, a.byteOffset, a.length),
    bi = new Int32Array(b.buffer, b.byteOffset, b.length);
  assert.equal(ai.length, bi.length);
  const i = ai.findIndex((v, j) => v !== bi[j]);
  assert.equal(i, -1, `${what}: element ${i} differs (${a[i]} vs ${b[i]})`);
}

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

Deno.test("wasm Sum / Mean over leading axes, shared Identity and Cast equal the stock kernels bit for bit", async () => {
  const v = randn(6 * 5 * 4 * 3, 4);
  const x = () => tf.tensor(v, [6, 5, 4, 3]);
  const cases: [string, () => tf.Tensor][] = [
    ["sum [0, 1, 2]", () => tf.sum(x(), [0, 1, 2])],
    ["sum [0] keepDims", () => tf.sum(x(), 0, true)],
    ["mean [0, 1]", () => tf.mean(x(), [1, 0])],
    ["mean all", () => tf.mean(x())],
    ["sum [1, 2] (stock)", () => tf.sum(x(), [1, 2])],
    ["moments", () => tf.moments(x(), [0, 1, 2]).variance],
    ["clone, cast", () => tf.add(tf.clone(x()), tf.cast(x(), "float32"))],
    [
      "gradient of sum and mean",
      () => tf.grad((t: tf.Tensor) => tf.add(tf.sum(tf.square(tf.sum(t, [0, 1]))), tf.mean(t)))(x()),
    ],
  ];
  for (const [what, f] of cases) {
    const { on, off, cpu } = await threeWays(f);
    assertSameBits(on, off, what);
    assert.ok(relError(on, cpu) < 1e-5, `${what}: relative error ${relError(on, cpu)} against cpu`);
  }
  await useBackendWasmAndCheckSharing();
});

async function useBackendWasmAndCheckSharing(): Promise<void> {
  await valuesOn("wasm", () => tf.scalar(0));
  const before = tf.memory().numTensors;
  const a = tf.tensor([1, 2, 3]);
  const b = tf.clone(a), c = tf.cast(a, "float32");
  a.dispose();
  assert.deepEqual(Array.from(await b.data()), [1, 2, 3], "a shared buffer outlives the tensor it came from");
  b.dispose();
  assert.deepEqual(Array.from(await c.data()), [1, 2, 3]);
  c.dispose();
  assert.equal(tf.memory().numTensors, before);
}

Deno.test("fused Adam updates equal the unfused ones bit for bit and match cpu", async () => {
  const n = 1000;
  const run = () => {
    const p = tf.variable(tf.tensor(randn(n, 5), [10, 100]));
    const adam = new Adam(new Map([["p", p]]), { lr: 2e-4, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 });
    for (let s = 0; s < 4; s++) {
      tf.tidy(() => adam.apply({ [p.name]: tf.tensor(randn(n, 6 + s, 10 ** -s), [10, 100]) }));
    }
    adam.dispose();
    const out = tf.clone(p);
    p.dispose();
    return out;
  };
  const { on, off, cpu } = await threeWays(run);
  assertSameBits(on, off, "Adam");
  assert.ok(relError(on, cpu) < 1e-6, `Adam: relative error ${relError(on, cpu)} against cpu`);
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
