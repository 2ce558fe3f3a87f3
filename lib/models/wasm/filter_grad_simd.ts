/**
 * A convolution's filter gradient computed directly in WebAssembly SIMD on the tfjs `wasm` heap, without
 * im2col or a transposed copy:
 *
 *   df[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·sh + kh − pt, ow·sw + kw − pl, ci] · dy[b, oh, ow, co]
 *
 * For each image b and tap (kh, kw), the (oh, ow) whose input pixel is inside the image form a rectangle; a
 * block of a few of its rows is one call of a tile kernel ({@link tileKernels}) over every tile of 4 input
 * channels × 8 output channels: it broadcasts the 4 inputs and multiply-adds the 8 gradients per output
 * pixel, and a block's inputs, gradients and the tap's [Ci, Co] sums stay in the L1 cache while every tile
 * passes over them. (XNNPACK's convolution, the other way to get this gradient, sees only B channels per
 * tap, streams its whole packed operand per tile, and reached 15–28 GFLOP/s on D's strided layers; these
 * kernels 43–48.)
 *
 * Output channels (or, with the roles of x and dy swapped, input channels) must be a multiple of 4;
 * {@link filterGradSimd} returns null otherwise.
 *
 * @module
 */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { parallelFor } from "./pool.ts";
import { memoryOf, simdUsesFma, tileKernelsOn } from "./tile.ts";

/** The geometry of a convolution: input [B, H, W, Ci], output [B, OH, OW, Co], filter fh × fw. */
export interface ConvGeometry {
  B: number;
  H: number;
  W: number;
  Ci: number;
  OH: number;
  OW: number;
  Co: number;
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  /** top and left padding */
  pt: number;
  pl: number;
}

/** Whether {@link filterGradSimd} handles this geometry (one of Co and Ci a multiple of 4). */
export function filterGradSimdSupports(g: ConvGeometry): boolean {
  return g.Co % 4 === 0 || g.Ci % 4 === 0;
}

/**
 * Adds the filter gradient of x (at byte address `xPtr`, [B, H, W, Ci]) and dy (`dyPtr`, [B, OH, OW, Co])
 * into `out` (`outPtr`, [fh, fw, Ci, Co], zeroed by the caller), or when Co is not a multiple of 4 into
 * `out` as [fh, fw, Co, Ci] (the caller transposes; `transposed` in the result). Returns null when neither
 * Co nor Ci is a multiple of 4.
 *
 * @param minPixels output pixels per call at least (rows of the valid rectangle are grouped to reach it)
 */
export function filterGradSimd(
  backend: BackendWasm,
  g: ConvGeometry,
  xPtr: number,
  dyPtr: number,
  outPtr: number,
  minPixels = 32,
): { transposed: boolean } | null {
  const { B, H, W, Ci, OH, OW, Co, fh, fw, sh, sw, pt, pl } = g;
  const transposed = Co % 4 !== 0;
  if (transposed && Ci % 4 !== 0) return null;
  const args = [B, H, W, Ci, OH, OW, Co, fh, fw, sh, sw, pt, pl, xPtr, dyPtr, outPtr, minPixels];
  const memory = memoryOf(backend);
  parallelFor("filterGradTaps", filterGradTaps, memory, [...args, simdUsesFma() ? 1 : 0], fh * fw);
  return { transposed };
}

/**
 * Taps [t0, t1) (tap t: kh = ⌊t / fw⌋, kw = t mod fw) of the filter gradient {@link filterGradSimd} set up,
 * on any thread ({@link parallelFor}): each tap's [Ci, Co] sums are its own, added image by image in the
 * same order whatever the split. `args`: B, H, W, Ci, OH, OW, Co, fh, fw, sh, sw, pt, pl, the addresses of
 * x, dy and the output, minPixels, and 1 for fused multiply-add.
 */
export function filterGradTaps(memory: WebAssembly.Memory, args: Float64Array, t0: number, t1: number): void {
  const [B, H, W, Ci, OH, OW, Co, _fh, fw, sh, sw, pt, pl, xPtr, dyPtr, outPtr, minPixels, fma] = args;
  const transposed = Co % 4 !== 0;
  const k = tileKernelsOn(memory, 4, fma === 1); // x's (or dy's) channels are consecutive floats
  // a: the broadcast operand (its channels are the rows of each tap's sums), b: the vector operand.
  const nA = transposed ? Co : Ci, nB = transposed ? Ci : Co;
  const xCol = sw * Ci * 4, xRow = sh * W * Ci * 4, dyCol = Co * 4, dyRow = OW * Co * 4;
  const [aCol, aRow, bCol, bRow] = transposed ? [dyCol, dyRow, xCol, xRow] : [xCol, xRow, dyCol, dyRow];
  const accStride = nB * 4;
  const nTa = Math.floor(nA / 4), ra = nA % 4, nTb = Math.floor(nB / 8), rb = nB % 8; // rb is 0 or 4
  const call = (a: number, b: number, acc: number, rows: number, cols: number) => {
    const tile = (MR: number, NR: number, a: number, b: number, acc: number, nTa: number, nTb: number) =>
      k[MR][NR](a, b, acc, rows, cols, aCol, aRow, bCol, bRow, nTa, nTb, accStride, 4 * NR);
    if (nTa > 0 && nTb > 0) tile(4, 8, a, b, acc, nTa, nTb);
    if (nTa > 0 && rb) tile(4, 4, a, b + nTb * 32, acc + nTb * 32, nTa, 1);
    if (ra) {
      const a1 = a + nTa * 16, acc1 = acc + nTa * 4 * accStride;
      if (nTb > 0) tile(ra, 8, a1, b, acc1, 1, nTb);
      if (rb) tile(ra, 4, a1, b + nTb * 32, acc1 + nTb * 32, 1, 1);
    }
  };
  // Per tap: the rectangle of output pixels whose input pixel (oh·sh + kh − pt, ow·sw + kw − pl) is inside.
  const taps: { kh: number; kw: number; oh0: number; oh1: number; ow0: number; cols: number; per: number }[] =
    [];
  for (let t = t0; t < t1; t++) {
    const kh = Math.floor(t / fw), kw = t - kh * fw;
    const oh0 = Math.max(0, Math.ceil((pt - kh) / sh)),
      oh1 = Math.min(OH - 1, Math.floor((H - 1 + pt - kh) / sh));
    const ow0 = Math.max(0, Math.ceil((pl - kw) / sw)),
      ow1 = Math.min(OW - 1, Math.floor((W - 1 + pl - kw) / sw));
    if (oh1 < oh0 || ow1 < ow0) continue;
    const cols = ow1 - ow0 + 1;
    taps.push({ kh, kw, oh0, oh1, ow0, cols, per: Math.max(1, Math.ceil(minPixels / cols)) });
  }
  // Image by image (its x and dy stay in cache across the taps).
  for (let b = 0; b < B; b++) {
    for (const { kh, kw, oh0, oh1, ow0, cols, per } of taps) {
      const acc = outPtr + (kh * fw + kw) * nA * nB * 4;
      for (let r0 = oh0; r0 <= oh1; r0 += per) {
        const rows = Math.min(per, oh1 - r0 + 1);
        const xp = xPtr + (((b * H + r0 * sh + kh - pt) * W + ow0 * sw + kw - pl) * Ci) * 4;
        const dyp = dyPtr + (((b * OH + r0) * OW + ow0) * Co) * 4;
        if (transposed) call(dyp, xp, acc, rows, cols);
        else call(xp, dyp, acc, rows, cols);
      }
    }
  }
}
