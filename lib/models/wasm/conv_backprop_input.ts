/**
 * `Conv2DBackpropInput` for the tfjs `wasm` backend, whose stock kernel (tfjs-backend-wasm 4.22) is a slow
 * scalar loop. It is a forward convolution in disguise (notation: x [B, H, W, Ci], filter f [fh, fw, Ci, Co],
 * dy [B, OH, OW, Co], stride s, padding top/left pt/pl):
 *
 * **Input gradient**: write u = ih + pt = s·q + p (p the phase). Only taps kh ≡ p (mod s) reach phase p, so
 * every phase is a stride-1 forward convolution of dy with its flipped sub-filter of ⌈(fh − p)/s⌉ taps:
 * s² small convolutions whose work adds up to the forward convolution's, scattered into dx in one pass.
 * (One convolution with all phases as output channels, then `DepthToSpace`, pads every phase to ⌈fh/s⌉
 * taps and an extra output row: measured 1.5–2.5× slower.)
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { conv } from "./conv2d.ts";
import { convInfoOf, type Pads } from "./conv_geometry.ts";
import { convSimd } from "./conv_simd.ts";
import { dispose, heapF32, type Info } from "./heap.ts";
import { tuning } from "./tuning.ts";

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
  // With Ci a multiple of 4, our kernels write each phase's pixels straight into dx, on every thread of the
  // pool (every pixel of dx belongs to one phase; a phase without taps or rows leaves zeros).
  if (tuning.simdConv && Ci % 4 === 0 && dy.dtype === "float32") {
    const dx = backend.makeOutput([B, H, W, Ci], "float32");
    const parts = [];
    for (let ph = 0; ph < sh; ph++) {
      for (let pw = 0; pw < sw; pw++) {
        const [qh0, qh1] = range(ph, sh, pt, H), [qw0, qw1] = range(pw, sw, pl, W);
        const [fh, fw] = filter.shape;
        const Jh = Math.ceil((fh - ph) / sh), Jw = Math.ceil((fw - pw) / sw);
        parts.push({ ph, pw, qh0, qh1, qw0, qw1, empty: qh1 < qh0 || qw1 < qw0 || Jh <= 0 || Jw <= 0 });
      }
    }
    if (parts.some((q) => q.empty)) heapF32(backend, dx).fill(0);
    for (const { ph, pw, qh0, qh1, qw0, qw1, empty } of parts) {
      if (empty) continue;
      const { g, Jh, Jw } = phaseFilter(f, filter.shape, sh, sw, ph, pw);
      const gInfo = backend.makeOutput([Jh, Jw, filter.shape[3], Ci], "float32", undefined, g);
      const pads: Pads = [Jh - 1 - qh0, qh1 + 1 - OH, Jw - 1 - qw0, qw1 + 1 - OW];
      const ih0 = qh0 * sh + ph - pt, iw0 = qw0 * sw + pw - pl;
      convSimd(backend, dy, gInfo, pads, [1, 1], tuning.simdPanelBytes, {
        y: dx,
        offset: (ih0 * W + iw0) * Ci,
        image: H * W * Ci,
        row: sh * W * Ci,
        pixel: sw * Ci,
      });
      dispose(backend, gInfo);
    }
    return dx;
  }
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
