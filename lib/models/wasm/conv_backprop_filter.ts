/**
 * `Conv2DBackpropFilter` for the tfjs `wasm` backend, which has none (tfjs-backend-wasm 4.22). It is a
 * forward convolution in disguise (notation: x [B, H, W, Ci], filter f [fh, fw, Ci, Co], dy [B, OH, OW, Co],
 * stride s, padding top/left pt/pl):
 *
 * **Filter gradient** `df[kh, kw, ci, co] = Σ_{b,oh,ow} x[b, oh·s + kh − pt, ow·s + kw − pl, ci] ·
 * dy[b, oh, ow, co]`: directly by {@link filterGradSimd} when Co or Ci is a multiple of 4 (43–48
 * GFLOP/s). Else, for wide stride-1 layers with enough pixels: GEMMs Pᵀ · dy over chunks of images, Pᵀ the
 * transposed im2col of x gathered in JS, each an XNNPACK 1×1 convolution small enough that its packed
 * operand stays in cache. Otherwise one convolution of xᵀ [Ci, H, W, B] (batch ↔ channels swapped) with
 * the filter dyᵀ [OH, OW, B, Co], dilated by s, stride 1, padding pt, giving [Ci, fh, fw, Co].
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { conv, gemm } from "./conv2d.ts";
import { convInfoOf, patchGeometry } from "./conv_geometry.ts";
import { type ConvGeometry, filterGradSimd, filterGradSimdSupports } from "./filter_grad_simd.ts";
import { addressOf, dispose, heapF32, type Info, runKernel } from "./heap.ts";
import { tuning } from "./tuning.ts";

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
