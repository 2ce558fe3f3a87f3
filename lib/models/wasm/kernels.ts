/**
 * Convolution kernels for the tfjs `wasm` backend: our WebAssembly SIMD kernels ({@link ./tile.ts}:
 * register-tiled, fused multiply-add through relaxed SIMD, generated at run time) where the channel counts
 * allow, and formulations on the backend's XNNPACK forward `Conv2D` elsewhere.
 *
 * tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter` and a slow scalar `Conv2DBackpropInput`. Both are
 * forward convolutions in disguise (notation: x [B, H, W, Ci], filter f [fh, fw, Ci, Co], dy [B, OH, OW, Co],
 * stride s, padding top/left pt/pl):
 *
 * - **Filter gradient** `df[kh, kw, ci, co] = Σ_{b,oh,ow} x[b, oh·s + kh − pt, ow·s + kw − pl, ci] ·
 *   dy[b, oh, ow, co]`: directly by {@link filterGradSimd} when Co or Ci is a multiple of 4 (43–48
 *   GFLOP/s). Else, for wide stride-1 layers with enough pixels: GEMMs Pᵀ · dy over chunks of images, Pᵀ the
 *   transposed im2col of x gathered in JS, each an XNNPACK 1×1 convolution small enough that its packed
 *   operand stays in cache. Otherwise one convolution of xᵀ [Ci, H, W, B] (batch ↔ channels swapped) with
 *   the filter dyᵀ [OH, OW, B, Co], dilated by s, stride 1, padding pt, giving [Ci, fh, fw, Co].
 * - **Input gradient**: write u = ih + pt = s·q + p (p the phase). Only taps kh ≡ p (mod s) reach phase p, so
 *   every phase is a stride-1 forward convolution of dy with its flipped sub-filter of ⌈(fh − p)/s⌉ taps:
 *   s² small convolutions whose work adds up to the forward convolution's, scattered into dx in one pass.
 *   (One convolution with all phases as output channels, then `DepthToSpace`, pads every phase to ⌈fh/s⌉
 *   taps and an extra output row: measured 1.5–2.5× slower.)
 *
 * - **Forward** `Conv2D` (and the input gradient's phase convolutions) by {@link convSimd} when Co is a
 *   multiple of 4, else by the stock XNNPACK kernel (or, optionally, as im2col · filter GEMMs for ≤ 4 input
 *   channels; off by default: slower at every measured shape).
 *
 * It also replaces `BatchMatMul` (batch 1) by an XNNPACK 1×1 convolution: the stock kernel is a scalar loop,
 * 50× slower with a transposed operand (the dense layers' weight gradients).
 *
 * Around them, the step's many small kernels (a 32 px, w = 0.25 training step ran 1132 kernels, a third of
 * its time outside the convolutions) get cheaper, each bit for bit the stock result:
 * - `Identity` and same-dtype `Cast` share the input's buffer: the engine clones every tensor a gradient
 *   saves (241 per step), and the stock wasm kernels copied each one;
 * - `LeakyRelu` runs branch-free, and its gradient is one fused kernel ({@link LEAKY_RELU_GRAD}, with its
 *   own gradient for WGAN-GP's second order) instead of `Greater` + `Multiply` + `Select`; the gradient reads
 *   x through a detached tensor, so that second order skips a backward pass of zeros (`detachedMask`);
 * - `Sum` / `Mean` over leading axes (bias gradients, batch-norm moments) are column sums, without the
 *   stock kernels' transpose;
 * - Adam updates a variable in one kernel ({@link ADAM_UPDATE}, used by `adam.ts`) instead of 12.
 *
 * {@link registerWasmKernels} installs them all for backend `wasm`, so `tf.conv2d`'s gradients,
 * `tf.conv2dTranspose` and layers use them unchanged.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { type ConvGeometry, filterGradSimd, filterGradSimdSupports } from "./filter_grad_simd.ts";
import { addressOf } from "./tile.ts";
import { convSimd, convSimdSupports } from "./conv_simd.ts";

type Info = tf.TensorInfo;
type Pads = [number, number, number, number]; // top, bottom, left, right

/** The stock XNNPACK `Conv2D`, captured before {@link registerWasmKernels} wraps it. */
let stockConv2D: tf.KernelFunc | null = null;

function runKernel(name: string, backend: BackendWasm, inputs: Record<string, Info>, attrs: object): Info {
  if (name === "Conv2D" && stockConv2D) {
    return stockConv2D({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as Info;
  }
  const k = tf.getKernel(name, "wasm");
  if (!k) throw new Error(`wasm backend has no '${name}' kernel`);
  return k.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as Info;
}

function dispose(backend: BackendWasm, ...infos: Info[]): void {
  for (const i of infos) backend.disposeData(i.dataId);
}

/**
 * Forward wasm convolution with arbitrary per-side padding: negative padding crops the input first
 * (XNNPACK takes only non-negative padding).
 */
function conv(
  backend: BackendWasm,
  x: Info,
  filter: Info,
  pads: Pads,
  dilations: [number, number],
): Info {
  if (
    tuning.simdConv && dilations[0] === 1 && dilations[1] === 1 && x.dtype === "float32" &&
    convSimdSupports(filter.shape[3])
  ) {
    return convSimd(backend, x, filter, pads, [1, 1], tuning.simdPanelBytes)!;
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

function convInfoOf(
  xShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  pad: unknown,
  dimRoundingMode: unknown,
  dataFormat: unknown,
): tf.backend_util.Conv2DInfo {
  const fmt = tf.backend_util.convertConv2DDataFormat((dataFormat as "NHWC" | "NCHW") ?? "NHWC");
  if (fmt !== "channelsLast") throw new Error(`wasm conv gradients support only NHWC, got ${dataFormat}`);
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad as "same",
    dimRoundingMode as "floor" | undefined,
    false,
    fmt,
  );
}

/** `Conv2DBackpropFilter` for wasm: one dilated forward convolution of xᵀ with dyᵀ. */
export function conv2DBackpropFilterWasm(
  args: { inputs: { x: Info; dy: Info }; backend: BackendWasm; attrs: tf.NamedAttrMap },
): Info {
  const { inputs: { x, dy }, backend, attrs } = args;
  const filterShape = attrs.filterShape as number[];
  const ci = convInfoOf(
    x.shape,
    filterShape,
    attrs.strides as [number, number],
    attrs.pad,
    attrs.dimRoundingMode,
    attrs.dataFormat,
  );
  const [B, H, W, Ci] = x.shape;
  const [fh, fw, , Co] = filterShape;
  const { strideHeight: sh, strideWidth: sw, outHeight: OH, outWidth: OW } = ci;
  const pt = ci.padInfo.top, pl = ci.padInfo.left;
  if (tuning.simdFilterGrad && x.dtype === "float32") {
    const g = patchGeometry(x, ci);
    if (filterGradSimdSupports(g)) return filterGradDirect(backend, x, dy, g);
  }
  if (useFilterGemm(Co, sh * sw, OH * OW)) return filterGradGemm(backend, x, dy, ci);
  // Output height = H + pt + pb − (OH − 1)·sh; choose pb so that it is fh (negative: crop unused rows).
  const pb = fh + (OH - 1) * sh - H - pt;
  const pr = fw + (OW - 1) * sw - W - pl;
  const nb = filterChunk(B, OH * OW * Co);
  let acc: Info | null = null;
  for (let b0 = 0; b0 < B; b0 += nb) {
    const n = Math.min(nb, B - b0);
    const xc = n === B ? x : batchSlice(backend, x, b0, n),
      dyc = n === B ? dy : batchSlice(backend, dy, b0, n);
    const xT = runKernel("Transpose", backend, { x: xc }, { perm: [3, 1, 2, 0] }); // [Ci, H, W, n]
    const dyT = runKernel("Transpose", backend, { x: dyc }, { perm: [1, 2, 0, 3] }); // [OH, OW, n, Co]
    if (xc !== x) dispose(backend, xc, dyc);
    const y = conv(backend, xT, dyT, [pt, pb, pl, pr], [sh, sw]); // [Ci, fh, fw, Co]
    dispose(backend, xT, dyT);
    if (
      y.shape[1] !== fh || y.shape[2] !== fw || y.shape[0] !== Ci || y.shape[3] !== Co || B !== dy.shape[0]
    ) {
      dispose(backend, y);
      throw new Error(`internal: filter gradient shape ${y.shape} != [${Ci}, ${fh}, ${fw}, ${Co}]`);
    }
    if (!acc) acc = y;
    else {
      const a = heapF32(backend, acc), ys = heapF32(backend, y);
      for (let i = 0; i < a.length; i++) a[i] += ys[i];
      dispose(backend, y);
    }
  }
  const df = runKernel("Transpose", backend, { x: acc! }, { perm: [1, 2, 0, 3] }); // [fh, fw, Ci, Co]
  dispose(backend, acc!);
  return df;
}

/** The filter gradient by {@link filterGradSimd} (our SIMD kernels on the backend's heap). */
function filterGradDirect(backend: BackendWasm, x: Info, dy: Info, g: ConvGeometry): Info {
  const { fh, fw, Ci, Co } = g;
  const transposed = Co % 4 !== 0;
  const out = backend.makeOutput(transposed ? [fh, fw, Co, Ci] : [fh, fw, Ci, Co], "float32");
  heapF32(backend, out).fill(0);
  const ptr = (t: Info) => addressOf(backend, t);
  filterGradSimd(backend, g, ptr(x), ptr(dy), ptr(out), tuning.simdMinPixels);
  if (!transposed) return out;
  const df = runKernel("Transpose", backend, { x: out }, { perm: [0, 1, 3, 2] }); // [fh, fw, Ci, Co]
  dispose(backend, out);
  return df;
}

/** Whether a filter gradient runs as GEMMs ({@link tuning}): stride 1, wide output, enough pixels per image. */
function useFilterGemm(Co: number, strideArea: number, pixels: number): boolean {
  return Co >= tuning.filterGemmMinCo && (strideArea === 1 || !tuning.filterGemmStride1Only) &&
    pixels >= tuning.filterGemmMinPixels;
}

/**
 * Images per chunk of the dilated filter-gradient convolution: its "filter" dyᵀ [OH, OW, n, Co], which
 * XNNPACK packs and then streams once per tile of output rows, should stay within `filterChunkFloats`
 * (cache), without dropping below `filterChunkMinImages` channels per tap.
 */
function filterChunk(B: number, floatsPerImage: number): number {
  if (!(tuning.filterChunkFloats > 0)) return B;
  const n = Math.max(tuning.filterChunkMinImages, Math.floor(tuning.filterChunkFloats / floatsPerImage));
  if (n >= B) return B;
  // Equal chunks (the last one not much smaller than the others).
  return Math.ceil(B / Math.ceil(B / n));
}

/** Images b0 … b0 + n − 1 of an NHWC tensor (a copy: one contiguous range). */
function batchSlice(backend: BackendWasm, t: Info, b0: number, n: number): Info {
  const per = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = backend.makeOutput([n, ...t.shape.slice(1)], "float32");
  heapF32(backend, out).set(heapF32(backend, t).subarray(b0 * per, (b0 + n) * per));
  return out;
}

/**
 * Switches and thresholds that pick between formulations (exported for tests and the benchmark, which force
 * each path, and for before/after timings). Chosen per shape from isolated kernel timings of every
 * convolution of 32 px (w = 0.25, 1) and 64 px (w = 1) batch-64 steps, alternating the forms in one process
 * (2 cores shared with other jobs, load 0.5–6):
 * - our SIMD kernels (filter gradient, forward and phase convolutions): faster than every other form at
 *   every shape of a 64 px step where the channels allow (filter gradients 35–49 GFLOP/s against 7–31,
 *   convolutions 39–44 against 30–37; `bench/results/train.json` `kernels`); the forms below are what runs
 *   where they do not (a channel count not a multiple of 4) or when they are switched off;
 * - filter gradient as im2colᵀ · dy GEMMs: faster only for G's stride-1 layers with Co ≥ 128 and
 *   OH·OW ≥ 64 per image (32 px w = 1: 8 × 8 → 256, 16 × 16 → 128: 8–9 % faster; 64 px: up to 1.5×); slower
 *   for G's 4 × 4 layer, thin layers (w = 0.25: 1.2–1.5×; Co = 3: 4–6×) and D's strided layers (mostly);
 * - im2col forward for ≤ 4 input channels: slower at every measured shape (1.2–1.7×): off;
 * - batch chunks of the dilated filter gradient (`filterChunkFloats`): no consistent gain: off.
 * The elementwise switches give bit-identical results; whole-step before/after in `bench/results/train.json`
 * `beforeAfter`.
 */
export const tuning = {
  /** filter gradients by our SIMD kernels ({@link filterGradSimd}) where Co or Ci is a multiple of 4 */
  simdFilterGrad: true,
  /** output pixels per call of those kernels at least */
  simdMinPixels: 32,
  /** forward convolutions (and the input gradient's phase convolutions) by our SIMD kernels where Co % 4 = 0 */
  simdConv: true,
  /** bytes of the filter per panel of output channels in those */
  simdPanelBytes: 1 << 18,
  /** filter gradients with at least this many output channels run as im2colᵀ · dy GEMMs (off: ∞) … */
  filterGemmMinCo: 128,
  /** … and at least this many output pixels per image … */
  filterGemmMinPixels: 64,
  /** … and, when true, stride 1 only (G's convolutions; D's strided ones lost or tied) */
  filterGemmStride1Only: true,
  /** forward convolutions with at most this many input channels run as im2col · filter GEMMs (off: 0) */
  im2colMaxCi: 0,
  /** floats of the GEMM operand that XNNPACK packs per chunk (kept within the L2 cache) */
  packedFloats: 1 << 17,
  /** at least this many GEMM rows per filter-gradient chunk (fewer partial results to sum) */
  minChunk: 1024,
  /** floats of the largest im2col chunk */
  chunkFloats: 1 << 20,
  /** filter gradients (dilated-convolution form) in batch chunks whose dyᵀ has at most this many floats (off: 0) */
  filterChunkFloats: 0,
  /** but at least this many images per chunk */
  filterChunkMinImages: 8,
  /** `Identity` (and `Cast` to the same dtype) shares its input's buffer instead of copying it */
  shareIdentity: true,
  /**
   * LeakyReLU's gradient reads x through a detached tensor (no second-order gradient flows back through the
   * forward pass that made x; it would be zeros): WGAN-GP's penalty skips a backward pass of D
   */
  detachedMask: true,
  /** `LeakyRelu` and its gradient as single branch-free passes */
  fusedLeakyRelu: true,
  /** `Sum` / `Mean` over leading axes as column sums, without the stock kernels' transpose */
  leadingReductions: true,
  /** Adam's update of a variable as one kernel ({@link ADAM_UPDATE}) instead of 12 */
  fusedAdam: true,
};

function patchGeometry(x: Info, ci: tf.backend_util.Conv2DInfo): ConvGeometry {
  const [B, H, W, Ci] = x.shape;
  return {
    B,
    H,
    W,
    Ci,
    OH: ci.outHeight,
    OW: ci.outWidth,
    Co: ci.outChannels,
    fh: ci.filterHeight,
    fw: ci.filterWidth,
    sh: ci.strideHeight,
    sw: ci.strideWidth,
    pt: ci.padInfo.top,
    pl: ci.padInfo.left,
  };
}

/**
 * Filter gradient as GEMMs over chunks of images: df[(kh, kw, ci), co] = Σ_j Pᵀ[(kh, kw, ci), j] · dy[j, co]
 * with j = (b, oh, ow) and Pᵀ the transposed im2col of x, gathered here; each chunk is one XNNPACK 1×1
 * convolution [M, Kc] · [Kc, Co] (M = fh·fw·Ci), the chunks' results summed. Chunks are small enough that
 * the packed dy chunk stays in cache. (The transposed dilated convolution runs XNNPACK's indirect GEMM over
 * OH·OW taps of only B channels each: 1.3–2× slower than the forward convolution.)
 */
function filterGradGemm(backend: BackendWasm, x: Info, dy: Info, ci: tf.backend_util.Conv2DInfo): Info {
  const g = patchGeometry(x, ci);
  const { B, Ci, OH, OW, Co, fh, fw } = g;
  const M = fh * fw * Ci, perImage = OH * OW;
  const kc = Math.max(tuning.packedFloats / Co, tuning.minChunk);
  const nb = Math.max(1, Math.min(B, Math.floor(kc / perImage)));
  const acc = new Float32Array(M * Co);
  for (let b0 = 0; b0 < B; b0 += nb) {
    const n = Math.min(nb, B - b0), Kc = n * perImage;
    const pT = backend.makeOutput([1, 1, M, Kc], "float32");
    const dyc = backend.makeOutput([1, 1, Kc, Co], "float32");
    // Views after every allocation (the heap may have grown).
    const p = backend.typedArrayFromHeap(pT) as Float32Array;
    (backend.typedArrayFromHeap(dyc) as Float32Array).set(
      (backend.typedArrayFromHeap(dy) as Float32Array).subarray(b0 * perImage * Co, (b0 + n) * perImage * Co),
    );
    const xs = backend.typedArrayFromHeap(x) as Float32Array;
    gatherTransposed(xs, p, b0, n, g);
    const y = gemm(backend, pT, dyc);
    const ys = backend.typedArrayFromHeap(y) as Float32Array;
    for (let i = 0; i < acc.length; i++) acc[i] += ys[i];
    dispose(backend, pT, dyc, y);
  }
  return backend.makeOutput([fh, fw, Ci, Co], "float32", undefined, acc);
}

/** Pᵀ[(kh, kw, c), (b, oh, ow)] = x[b0 + b, oh·sh + kh − pt, ow·sw + kw − pl, c] (0 outside), row length n·OH·OW. */
function gatherTransposed(
  xs: Float32Array,
  p: Float32Array,
  b0: number,
  n: number,
  g: ConvGeometry,
): void {
  const { H, W, Ci, OH, OW, fh, fw, sh, sw, pt, pl } = g;
  const Kc = n * OH * OW, step = sw * Ci;
  for (let kw = 0; kw < fw; kw++) {
    // Valid output columns for tap column kw: iw = ow·sw + kw − pl ∈ [0, W).
    const lo = Math.max(0, Math.ceil((pl - kw) / sw)),
      hi = Math.min(OW - 1, Math.floor((W - 1 + pl - kw) / sw));
    for (let b = 0; b < n; b++) {
      for (let oh = 0; oh < OH; oh++) {
        const col0 = (b * OH + oh) * OW;
        for (let kh = 0; kh < fh; kh++) {
          const ih = oh * sh + kh - pt;
          const inside = ih >= 0 && ih < H && hi >= lo;
          const src0 = (((b0 + b) * H + ih) * W + lo * sw + kw - pl) * Ci;
          for (let c = 0; c < Ci; c++) {
            const d = ((kh * fw + kw) * Ci + c) * Kc + col0;
            if (!inside) {
              p.fill(0, d, d + OW);
              continue;
            }
            for (let ow = 0; ow < lo; ow++) p[d + ow] = 0;
            let src = src0 + c;
            for (let ow = lo; ow <= hi; ow++, src += step) p[d + ow] = xs[src];
            for (let ow = hi + 1; ow < OW; ow++) p[d + ow] = 0;
          }
        }
      }
    }
  }
}

/** [1, 1, M, K] · [1, 1, K, N] → [1, 1, M, N] on XNNPACK (a 1×1 convolution). */
function gemm(backend: BackendWasm, a: Info, b: Info): Info {
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
function makeConv2D(stock: tf.KernelFunc) {
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
    if (tuning.simdConv && convSimdSupports(filter.shape[3])) {
      const p = ci.padInfo;
      const pads: Pads = [p.top, p.bottom, p.left, p.right];
      return convSimd(backend, x, filter, pads, [ci.strideHeight, ci.strideWidth], tuning.simdPanelBytes)!;
    }
    if (x.shape[3] <= tuning.im2colMaxCi) {
      return convIm2col(backend, x, filter, ci);
    }
    return stock(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
  };
}

/**
 * The sub-filter of phase (ph, pw), flipped, as a forward-convolution filter [Jh, Jw, Co, Ci]:
 * g[m, n, co, ci] = f[ph + sh·(Jh − 1 − m), pw + sw·(Jw − 1 − n), ci, co], Jh = ⌈(fh − ph)/sh⌉.
 */
function phaseFilter(
  f: Float32Array,
  shape: number[],
  sh: number,
  sw: number,
  ph: number,
  pw: number,
): { g: Float32Array; Jh: number; Jw: number } {
  const [fh, fw, Ci, Co] = shape;
  const Jh = Math.ceil((fh - ph) / sh), Jw = Math.ceil((fw - pw) / sw);
  const g = new Float32Array(Math.max(0, Jh * Jw * Co * Ci));
  for (let m = 0; m < Jh; m++) {
    const kh = ph + sh * (Jh - 1 - m);
    for (let n = 0; n < Jw; n++) {
      const kw = pw + sw * (Jw - 1 - n);
      const src = (kh * fw + kw) * Ci * Co;
      const dst = (m * Jw + n) * Co * Ci;
      for (let ci = 0; ci < Ci; ci++) {
        const s = src + ci * Co;
        for (let co = 0; co < Co; co++) g[dst + co * Ci + ci] = f[s + co];
      }
    }
  }
  return { g, Jh, Jw };
}

/**
 * `Conv2DBackpropInput` for wasm: one stride-1 forward convolution per stride phase (s² of them, each with
 * only its own taps, so the total work equals the forward convolution's), scattered into dx in one pass.
 */
export function conv2DBackpropInputWasm(
  args: { inputs: { dy: Info; filter: Info }; backend: BackendWasm; attrs: tf.NamedAttrMap },
): Info {
  const { inputs: { dy, filter }, backend, attrs } = args;
  const inputShape = attrs.inputShape as number[];
  const ci = convInfoOf(
    inputShape,
    filter.shape,
    attrs.strides as [number, number],
    attrs.pad,
    attrs.dimRoundingMode,
    attrs.dataFormat,
  );
  const [B, H, W, Ci] = inputShape;
  const { strideHeight: sh, strideWidth: sw, outHeight: OH, outWidth: OW } = ci;
  const pt = ci.padInfo.top, pl = ci.padInfo.left;
  const f = backend.readSync(filter.dataId) as Float32Array;
  // Phase p covers u = ih + pt ≡ p (mod s), u ∈ [pt, pt + H): q = (u − p)/s from qLo to qHi inclusive.
  const range = (
    p: number,
    s: number,
    pad: number,
    n: number,
  ) => [Math.ceil((pad - p) / s), Math.floor((pad + n - 1 - p) / s)];
  const phases: { ph: number; pw: number; y: Info | null; qh: number; qw: number }[] = [];
  for (let ph = 0; ph < sh; ph++) {
    for (let pw = 0; pw < sw; pw++) {
      const [qh0, qh1] = range(ph, sh, pt, H), [qw0, qw1] = range(pw, sw, pl, W);
      const { g, Jh, Jw } = phaseFilter(f, filter.shape, sh, sw, ph, pw);
      let y: Info | null = null;
      if (qh1 >= qh0 && qw1 >= qw0 && Jh > 0 && Jw > 0) {
        const gInfo = backend.makeOutput([Jh, Jw, filter.shape[3], Ci], "float32", undefined, g);
        // Output row r is q = qh0 + r and reads dy[q − (Jh − 1) + m].
        const pads: Pads = [Jh - 1 - qh0, qh1 + 1 - OH, Jw - 1 - qw0, qw1 + 1 - OW];
        y = conv(backend, dy, gInfo, pads, [1, 1]); // [B, qh1 − qh0 + 1, qw1 − qw0 + 1, Ci]
        dispose(backend, gInfo);
      }
      phases.push({ ph, pw, y, qh: qh0, qw: qw0 });
    }
  }
  if (sh === 1 && sw === 1 && phases[0].y && phases[0].y.shape[1] === H && phases[0].y.shape[2] === W) {
    return phases[0].y;
  }
  // Scatter the phases into dx (the wasm DepthToSpace / Slice kernels index element by element and would
  // cost more than the convolutions).
  const dx = backend.makeOutput([B, H, W, Ci], "float32");
  const dst = backend.typedArrayFromHeap(dx) as Float32Array;
  for (const { ph, pw, y, qh, qw } of phases) {
    const ih0 = qh * sh + ph - pt, iw0 = qw * sw + pw - pl;
    if (!y) {
      for (let b = 0; b < B; b++) {
        for (let ih = ih0; ih < H; ih += sh) {
          for (let iw = iw0; iw < W; iw += sw) {
            dst.fill(0, ((b * H + ih) * W + iw) * Ci, ((b * H + ih) * W + iw + 1) * Ci);
          }
        }
      }
      continue;
    }
    const src = backend.typedArrayFromHeap(y) as Float32Array;
    const [, Qh, Qw] = y.shape;
    let o = 0;
    for (let b = 0; b < B; b++) {
      for (let r = 0; r < Qh; r++) {
        const rowBase = (b * H + ih0 + r * sh) * W;
        for (let c = 0; c < Qw; c++) {
          const d = (rowBase + iw0 + c * sw) * Ci;
          for (let k = 0; k < Ci; k++) dst[d + k] = src[o++];
        }
      }
    }
    dispose(backend, y);
  }
  return dx;
}

/**
 * `BatchMatMul` for wasm with batch 1 as an XNNPACK 1×1 convolution (the stock kernel runs a scalar loop,
 * slowest with a transposed operand); other cases go to the stock kernel.
 */
function makeBatchMatMul(stock: tf.KernelFunc) {
  return (args: { inputs: { a: Info; b: Info }; backend: BackendWasm; attrs: tf.NamedAttrMap }): Info => {
    const { inputs: { a, b }, backend, attrs } = args;
    const transposeA = attrs.transposeA as boolean, transposeB = attrs.transposeB as boolean;
    const lead = (t: Info) => t.shape.slice(0, -2).reduce((p, d) => p * d, 1);
    if (
      a.shape.length < 2 || b.shape.length < 2 || lead(a) !== 1 || lead(b) !== 1 || a.dtype !== "float32" ||
      b.dtype !== "float32"
    ) {
      return stock(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    }
    const ra = a.shape.length, rb = b.shape.length;
    const [M, K] = transposeA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
    const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    const a3 = runKernel("Reshape", backend, { x: a }, { shape: transposeA ? [1, K, M] : [1, M, K] });
    const b3 = runKernel("Reshape", backend, { x: b }, { shape: transposeB ? [1, N, K] : [1, K, N] });
    const at = transposeA ? runKernel("Transpose", backend, { x: a3 }, { perm: [0, 2, 1] }) : a3;
    const bt = transposeB ? runKernel("Transpose", backend, { x: b3 }, { perm: [0, 2, 1] }) : b3;
    const x4 = runKernel("Reshape", backend, { x: at }, { shape: [1, 1, M, K] });
    const f4 = runKernel("Reshape", backend, { x: bt }, { shape: [1, 1, K, N] });
    const y = runKernel("Conv2D", backend, { x: x4, filter: f4 }, {
      strides: [1, 1],
      pad: "valid",
      dataFormat: "NHWC",
      dilations: [1, 1],
      dimRoundingMode: undefined,
    });
    const outShape = [...(ra >= rb ? a.shape : b.shape).slice(0, -2), M, N];
    const out = runKernel("Reshape", backend, { x: y }, { shape: outShape });
    dispose(backend, x4, f4, y, a3, b3);
    if (at !== a3) dispose(backend, at);
    if (bt !== b3) dispose(backend, bt);
    return out;
  };
}

/** Float32 view of a tensor's data on the wasm heap (take views after every allocation: the heap may grow). */
function heapF32(backend: BackendWasm, t: Info): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** Int32 view of the same bytes (the sign bit of a float is the sign of its int32). */
function bitsOf(a: Float32Array): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.length);
}

/**
 * `Identity` that shares its input's buffer (reference counted, as `Reshape`): the engine clones every
 * tensor a gradient saves (241 calls a step), and the stock wasm kernel copies each one.
 */
function makeIdentity(stock: tf.KernelFunc) {
  return makeSharing(stock, () => true);
}

/** `Cast` to the input's own dtype shares its buffer too (batch-norm moments cast float32 to float32). */
function makeCast(stock: tf.KernelFunc) {
  return makeSharing(stock, (x, attrs) => attrs.dtype === x.dtype);
}

/** A kernel that returns its input's buffer (reference counted) when `shares` says so, else runs `stock`. */
function makeSharing(stock: tf.KernelFunc, shares: (x: Info, attrs: tf.NamedAttrMap) => boolean) {
  return (args: { inputs: { x: Info }; backend: BackendWasm; attrs: tf.NamedAttrMap }): Info => {
    const { inputs: { x }, backend, attrs } = args;
    if (!tuning.shareIdentity || x.dtype === "string" || !shares(x, attrs)) {
      return stock(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    }
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/**
 * `LeakyRelu` without a branch per element: y = x · k[sign bit of x], k = [1, α] (the stock kernel's
 * `x < 0 ? α·x : x`, bit for bit, −0 included; a data-dependent branch mispredicts half the time).
 */
function makeLeakyRelu(stock: tf.KernelFunc) {
  return (args: { inputs: { x: Info }; backend: BackendWasm; attrs: tf.NamedAttrMap }): Info => {
    const { inputs: { x }, backend, attrs } = args;
    if (!tuning.fusedLeakyRelu || x.dtype !== "float32") {
      return stock(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    }
    const out = backend.makeOutput(x.shape, "float32");
    const xs = heapF32(backend, x), ys = heapF32(backend, out), xb = bitsOf(xs);
    const k = new Float32Array([1, attrs.alpha as number]);
    for (let i = 0; i < xs.length; i++) ys[i] = xs[i] * k[xb[i] >>> 31];
    return out;
  };
}

/** Name of the fused LeakyReLU-gradient kernel (wasm only): dx = x > 0 ? dy : α·dy. */
export const LEAKY_RELU_GRAD = "MorphoganLeakyReluGrad";

/** dx = x > 0 ? dy : α·dy in one pass (the stock gradient runs `Greater`, `Multiply` and `Select`). */
function leakyReluGradWasm(
  args: { inputs: { dy: Info; x: Info }; backend: BackendWasm; attrs: tf.NamedAttrMap },
): Info {
  const { inputs: { dy, x }, backend, attrs } = args;
  const out = backend.makeOutput(x.shape, "float32");
  const xb = bitsOf(heapF32(backend, x)), ds = heapF32(backend, dy), o = heapF32(backend, out);
  const k = new Float32Array([1, attrs.alpha as number]);
  // x > 0 ⟺ its int32 bits b > 0; index 1 when b ≤ 0: sign bit of b, or of b − 1 (b = 0, i.e. +0).
  for (let i = 0; i < o.length; i++) {
    const b = xb[i];
    o[i] = ds[i] * k[(b >>> 31) | ((b - 1) >>> 31)];
  }
  return out;
}

/**
 * LeakyReLU's gradient: the fused kernel where the active backend has it and it is enabled, else the stock
 * formula `where(x > 0, dy, dy·α)` (same values).
 */
export function leakyReluGrad(dy: tf.Tensor, x: tf.Tensor, alpha: number): tf.Tensor {
  if (tuning.fusedLeakyRelu && dy.dtype === "float32" && tf.getKernel(LEAKY_RELU_GRAD, tf.getBackend())) {
    return tf.engine().runKernel(LEAKY_RELU_GRAD, { dy, x }, { alpha }) as tf.Tensor;
  }
  return tf.where(tf.greater(x, 0), dy, tf.mul(dy, alpha));
}

/**
 * Sum or mean over leading axes (a batch-norm statistic, a bias gradient: [B, H, W, C] → [C]) as one pass
 * of column sums, in the stock kernels' order (each output sums its inputs first to last in float32) and
 * so bit for bit their result; the stock kernels transpose the input first. Other reductions go to them.
 */
function makeLeadingReduction(stock: tf.KernelFunc, mean: boolean) {
  return (args: { inputs: { x: Info }; backend: BackendWasm; attrs: tf.NamedAttrMap }): Info => {
    const { inputs: { x }, backend, attrs } = args;
    const rank = x.shape.length;
    // In the given order: the stock kernels sum the reduced axes in that order (first outermost).
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
    const k = axes.length;
    if (
      !tuning.leadingReductions || x.dtype !== "float32" || k === 0 || k >= rank ||
      axes.some((a, i) => a !== i)
    ) {
      return stock(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    }
    const rest = x.shape.slice(k);
    const N = x.shape.slice(0, k).reduce((a, b) => a * b, 1), C = rest.reduce((a, b) => a * b, 1);
    const outShape = attrs.keepDims ? [...x.shape.slice(0, k).map(() => 1), ...rest] : rest;
    const out = backend.makeOutput(outShape, "float32");
    const xs = heapF32(backend, x), o = heapF32(backend, out);
    o.fill(0);
    for (let n = 0, i = 0; n < N; n++) for (let c = 0; c < C; c++, i++) o[c] += xs[i];
    if (mean) { for (let c = 0; c < C; c++) o[c] /= N; }
    return out;
  };
}

/** Name of the fused Adam kernel (wasm only): inputs p, m, v, g; outputs p′, m′, v′. */
export const ADAM_UPDATE = "MorphoganAdam";

/**
 * One Adam update of one variable in one pass, bit for bit the float32 ops of the unfused formula:
 * m′ = m·β₁ + g·(1 − β₁); v′ = v·β₂ + g²·(1 − β₂); p′ = p − m′·lr_t / (√v′ + ε).
 */
function adamWasm(
  args: { inputs: { p: Info; m: Info; v: Info; g: Info }; backend: BackendWasm; attrs: tf.NamedAttrMap },
): Info[] {
  const { inputs: { p, m, v, g }, backend, attrs } = args;
  const f = Math.fround;
  const b1 = f(attrs.beta1 as number), c1 = f(1 - (attrs.beta1 as number));
  const b2 = f(attrs.beta2 as number), c2 = f(1 - (attrs.beta2 as number));
  const lr = f(attrs.lr as number), eps = f(attrs.epsilon as number);
  const p2 = backend.makeOutput(p.shape, "float32");
  const m2 = backend.makeOutput(p.shape, "float32");
  const v2 = backend.makeOutput(p.shape, "float32");
  const ps = heapF32(backend, p),
    ms = heapF32(backend, m),
    vs = heapF32(backend, v),
    gs = heapF32(backend, g);
  const po = heapF32(backend, p2), mo = heapF32(backend, m2), vo = heapF32(backend, v2);
  for (let i = 0; i < ps.length; i++) {
    const gi = gs[i];
    const mi = f(f(ms[i] * b1) + f(gi * c1));
    const vi = f(f(vs[i] * b2) + f(f(gi * gi) * c2));
    mo[i] = mi;
    vo[i] = vi;
    po[i] = ps[i] - f(f(mi * lr) / f(f(Math.sqrt(vi)) + eps));
  }
  return [p2, m2, v2];
}

/** True when the active backend has the fused Adam kernel and it is enabled ({@link tuning}). */
export function haveFusedAdam(): boolean {
  return tuning.fusedAdam && !!tf.getKernel(ADAM_UPDATE, tf.getBackend());
}

let registered = false;

/**
 * Registers {@link conv2DBackpropFilterWasm} and {@link conv2DBackpropInputWasm} as the wasm backend's
 * `Conv2DBackpropFilter` and `Conv2DBackpropInput` (replacing its slow one), and wraps its `Conv2D` and
 * `BatchMatMul`. Idempotent. Call after importing `@tensorflow/tfjs-backend-wasm`.
 */
export function registerWasmKernels(): void {
  if (registered) return;
  const stockMatMul = tf.getKernel("BatchMatMul", "wasm");
  const stockConv = tf.getKernel("Conv2D", "wasm");
  if (!stockMatMul || !stockConv) {
    throw new Error("register the wasm backend (import @tensorflow/tfjs-backend-wasm) first");
  }
  stockConv2D = stockConv.kernelFunc;
  const stock = (name: string) => {
    const k = tf.getKernel(name, "wasm");
    if (!k) throw new Error(`wasm backend has no '${name}' kernel`);
    return k.kernelFunc;
  };
  const kernels: [string, (a: never) => Info | Info[]][] = [
    ["Conv2D", makeConv2D(stockConv.kernelFunc)],
    ["Conv2DBackpropFilter", conv2DBackpropFilterWasm],
    ["Conv2DBackpropInput", conv2DBackpropInputWasm],
    ["BatchMatMul", makeBatchMatMul(stockMatMul.kernelFunc)],
    ["Identity", makeIdentity(stock("Identity"))],
    ["Cast", makeCast(stock("Cast"))],
    ["LeakyRelu", makeLeakyRelu(stock("LeakyRelu"))],
    ["Sum", makeLeadingReduction(stock("Sum"), false)],
    ["Mean", makeLeadingReduction(stock("Mean"), true)],
    [LEAKY_RELU_GRAD, leakyReluGradWasm],
    [ADAM_UPDATE, adamWasm],
  ];
  for (const [kernelName, fn] of kernels) {
    const old = tf.getKernel(kernelName, "wasm");
    if (old) tf.unregisterKernel(kernelName, "wasm");
    // Keep the stock setup function: it binds the wasm exports the stock BatchMatMul falls back to.
    tf.registerKernel({
      kernelName,
      backendName: "wasm",
      kernelFunc: fn as unknown as tf.KernelFunc,
      setupFunc: old?.setupFunc,
    });
  }
  registerGradients();
  registered = true;
}

/**
 * The same values as `t` (the same buffer, no copy) as a tensor that no recorded operation produced: a
 * gradient taken through a function of it stops there (`stop_gradient`).
 */
function detached(t: tf.Tensor): tf.Tensor {
  tf.backend().incRef(t.dataId); // the new tensor's own reference, released when it is disposed
  return tf.engine().makeTensorFromDataId(t.dataId, t.shape, t.dtype);
}

/**
 * LeakyReLU's gradient through {@link leakyReluGrad} (the fused kernel on wasm, the stock formula
 * elsewhere), and the gradient of the fused kernel itself, which WGAN-GP's second-order gradient needs:
 * linear in dy with the same mask, zero in x. The mask's x is {@link detached}: its derivative is zero
 * almost everywhere, so a second-order gradient (WGAN-GP's penalty) needs nothing from the forward pass
 * that made x, and without the link the tape does not send zeros back through it (a whole backward pass
 * of D on x̂: its filter and input gradients of zeros, a sixth of a 64 px WGAN-GP step).
 */
function registerGradients(): void {
  tf.registerGradient({
    kernelName: "LeakyRelu",
    inputsToSave: ["x"],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs?: tf.NamedAttrMap) => {
      const alpha = attrs!.alpha as number;
      const x = () => tuning.detachedMask ? detached(saved[0]) : saved[0];
      return { x: () => leakyReluGrad(dy as tf.Tensor, x(), alpha) };
    },
  });
  tf.registerGradient({
    kernelName: LEAKY_RELU_GRAD,
    inputsToSave: ["x"],
    gradFunc: (ddx: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs?: tf.NamedAttrMap) => {
      const alpha = attrs!.alpha as number;
      return {
        dy: () => leakyReluGrad(ddx as tf.Tensor, saved[0], alpha),
        x: () => tf.zerosLike(saved[0]),
      };
    },
  });
}
