/**
 * Forward convolutions on the tfjs `wasm` backend.
 *
 * **Forward** `Conv2D` (and the input gradient's phase convolutions) by {@link convSimd} (any number of output
 * channels), else (switched off, or dilated) by the stock XNNPACK kernel (or, optionally, as im2col · filter
 * GEMMs for ≤ 4 input channels; off by default: slower at every measured shape).
 *
 * {@link makeConv2D} wraps the stock kernel; {@link conv} (any per-side padding) and {@link gemm} (a 1×1
 * convolution) are the forward convolutions that the gradient kernels run on.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { convSimd } from "./conv_simd.ts";
import { convInfoOf, type Pads, patchGeometry } from "./conv_geometry.ts";
import type { ConvGeometry } from "./filter_grad_simd.ts";
import { dispose, type Info, runKernel } from "./heap.ts";
import { tuning } from "./tuning.ts";

/**
 * Forward wasm convolution with arbitrary per-side padding: negative padding crops the input first
 * (XNNPACK takes only non-negative padding).
 */
export function conv(
  backend: BackendWasm,
  x: Info,
  filter: Info,
  pads: Pads,
  dilations: [number, number],
): Info {
  if (
    tuning.simdConv && dilations[0] === 1 && dilations[1] === 1 && x.dtype === "float32"
  ) {
    return convSimd(backend, x, filter, pads, [1, 1], tuning.simdPanelBytes);
  }
  const [B, H, W, C] = x.shape;
  const crop = pads.map((p) => Math.max(0, -p));
  let input = x;
  if (crop.some((c) => c > 0)) {
    input = runKernel("Slice", backend, { x }, {
      begin: [0, crop[0], crop[2], 0],
      size: [B, H - crop[0] - crop[1], W - crop[2] - crop[3], C],
    });
  }
  const [t, b, l, r] = pads.map((p) => Math.max(0, p));
  const pad = t === 0 && b === 0 && l === 0 && r === 0 ? "valid" : [[0, 0], [t, b], [l, r], [0, 0]];
  const out = runKernel("Conv2D", backend, { x: input, filter }, {
    strides: [1, 1],
    pad,
    dataFormat: "NHWC",
    dilations,
    dimRoundingMode: undefined,
  });
  if (input !== x) dispose(backend, input);
  return out;
}

/** [1, 1, M, K] · [1, 1, K, N] → [1, 1, M, N] on XNNPACK (a 1×1 convolution). */
export function gemm(backend: BackendWasm, a: Info, b: Info): Info {
  return runKernel("Conv2D", backend, { x: a, filter: b }, {
    strides: [1, 1],
    pad: "valid",
    dataFormat: "NHWC",
    dilations: [1, 1],
    dimRoundingMode: undefined,
  });
}

/**
 * Forward convolution with few input channels (the first layer of D: 3) as im2col · filter GEMMs over
 * chunks of images: XNNPACK's convolution runs only Ci multiply-adds per tap in its inner loop there
 * (≈ 3 GMAC/s against 15 for wide layers).
 */
function convIm2col(backend: BackendWasm, x: Info, filter: Info, ci: tf.backend_util.Conv2DInfo): Info {
  const g = patchGeometry(x, ci);
  const { B, Ci, OH, OW, Co, fh, fw } = g;
  const K = fh * fw * Ci, perImage = OH * OW;
  const nb = Math.max(1, Math.min(B, Math.floor(tuning.chunkFloats / (K * perImage))));
  const f2 = runKernel("Reshape", backend, { x: filter }, { shape: [1, 1, K, Co] });
  const out = backend.makeOutput([B, OH, OW, Co], "float32");
  for (let b0 = 0; b0 < B; b0 += nb) {
    const n = Math.min(nb, B - b0);
    const pm = backend.makeOutput([1, 1, n * perImage, K], "float32");
    const xs = backend.typedArrayFromHeap(x) as Float32Array;
    gatherIm2col(xs, backend.typedArrayFromHeap(pm) as Float32Array, b0, n, g);
    const y = gemm(backend, pm, f2);
    (backend.typedArrayFromHeap(out) as Float32Array).set(
      backend.typedArrayFromHeap(y) as Float32Array,
      b0 * perImage * Co,
    );
    dispose(backend, pm, y);
  }
  dispose(backend, f2);
  return out;
}

/** P[(b, oh, ow), (kh, kw, c)] = x[b0 + b, oh·sh + kh − pt, ow·sw + kw − pl, c] (0 outside). */
function gatherIm2col(
  xs: Float32Array,
  p: Float32Array,
  b0: number,
  n: number,
  g: ConvGeometry,
): void {
  const { H, W, Ci, OH, OW, fh, fw, sh, sw, pt, pl } = g;
  const K = fh * fw * Ci, run = fw * Ci;
  for (let b = 0; b < n; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let kh = 0; kh < fh; kh++) {
        const ih = oh * sh + kh - pt;
        const base = (b * OH + oh) * OW * K + kh * run;
        if (ih < 0 || ih >= H) {
          for (let ow = 0; ow < OW; ow++) p.fill(0, base + ow * K, base + ow * K + run);
          continue;
        }
        const rowBase = ((b0 + b) * H + ih) * W * Ci;
        for (let ow = 0; ow < OW; ow++) {
          const iw0 = ow * sw - pl, d0 = base + ow * K;
          if (iw0 >= 0 && iw0 + fw <= W) {
            const s0 = rowBase + iw0 * Ci;
            for (let t = 0; t < run; t++) p[d0 + t] = xs[s0 + t];
          } else {
            for (let kw = 0; kw < fw; kw++) {
              const iw = iw0 + kw, d = d0 + kw * Ci;
              if (iw < 0 || iw >= W) { for (let c = 0; c < Ci; c++) p[d + c] = 0; }
              else for (let c = 0; c < Ci; c++) p[d + c] = xs[rowBase + iw * Ci + c];
            }
          }
        }
      }
    }
  }
}

/** `Conv2D` for wasm: few input channels through {@link convIm2col}, everything else to the stock kernel. */
export function makeConv2D(stock: tf.KernelFunc) {
  return (
    args: { inputs: { x: Info; filter: Info }; backend: BackendWasm; attrs: tf.NamedAttrMap },
  ): Info => {
    const { inputs: { x, filter }, backend, attrs } = args;
    const dil = attrs.dilations as number | [number, number] | undefined;
    const dilated = dil !== undefined && (typeof dil === "number" ? dil !== 1 : dil[0] !== 1 || dil[1] !== 1);
    if (x.shape.length !== 4 || dilated || x.dtype !== "float32" || (attrs.dataFormat ?? "NHWC") !== "NHWC") {
      return stock(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    }
    const ci = convInfoOf(
      x.shape,
      filter.shape,
      attrs.strides as [number, number],
      attrs.pad,
      attrs.dimRoundingMode,
      attrs.dataFormat,
    );
    if (tuning.simdConv) {
      const p = ci.padInfo;
      const pads: Pads = [p.top, p.bottom, p.left, p.right];
      return convSimd(backend, x, filter, pads, [ci.strideHeight, ci.strideWidth], tuning.simdPanelBytes);
    }
    if (x.shape[3] <= tuning.im2colMaxCi) {
      return convIm2col(backend, x, filter, ci);
    }
    return stock(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
  };
}
