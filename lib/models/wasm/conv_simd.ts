/**
 * Forward convolution (NHWC, no dilation) by our WebAssembly SIMD tile kernels ({@link tileKernels}) on the
 * tfjs `wasm` heap:
 *
 *   y[b, oh, ow, co] = Σ_{kh, kw, ci} x[b, oh·sh + kh − pt, ow·sw + kw − pl, ci] · f[kh, kw, ci, co]
 *
 * x is first copied into a zero-padded image (skipped when no padding is needed), so that every patch is
 * inside it: one patch row (kw, ci) is then fw·Ci consecutive floats, as is the matching block of f rows.
 * One kernel call computes an output row: tiles of 4 output pixels (the broadcast operand: their patches,
 * sw·Ci floats apart) × 8 output channels (f's columns), summing over kh (rows) and (kw, ci) (columns).
 * Calls go panel by panel of output channels, so that a panel of f (≤ `panelBytes`) stays in the L2 cache
 * across all output rows. Output channels not a multiple of 4 are computed to the next multiple of 4 with zero
 * filter columns, into a temporary that is then compacted (G's 3-channel output layer, the input gradient of
 * D's first layer).
 *
 * @module
 */
import type { TensorInfo as Info } from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { addressOf, heapF32 } from "./memory.ts";
import { parallelFor } from "./pool.ts";
import { memoryOf, simdUsesFma, tileKernelsOn } from "./tile.ts";

/** Where {@link convSimd} adds its output: floats of `y` (see its `into`). */
export interface ConvTarget {
  y: Info;
  offset: number;
  image: number;
  row: number;
  pixel: number;
}

/**
 * y = conv(x, f) with stride [sh, sw] and per-side padding [top, bottom, left, right] (negative: crop), as
 * a new tensor [B, OH, OW, Co] on the backend.
 *
 * @param panelBytes bytes of f per panel of output channels (kept in cache across output rows)
 * @param into instead of a new tensor, write the output into `into.y` (Co a multiple of 4): output pixel
 *   (b, oh, ow) at float `offset + b·image + oh·row + ow·pixel` (the input gradient's phases write their
 *   pixels straight into dx); returns `into.y`
 */
export function convSimd(
  backend: BackendWasm,
  x: Info,
  f: Info,
  pads: [number, number, number, number],
  strides: [number, number],
  panelBytes = 1 << 18,
  into?: ConvTarget,
): Info {
  const [B, H, W, Ci] = x.shape, [fh, fw, fCi, Co] = f.shape, [sh, sw] = strides, [pt, pb, pl, pr] = pads;
  if (fCi !== Ci) throw new Error(`internal: filter has ${fCi} input channels, x ${Ci}`);
  const Co4 = Math.ceil(Co / 4) * 4; // the channels computed: Co, or Co padded with zero filter columns
  const OH = Math.floor((H + pt + pb - fh) / sh) + 1, OW = Math.floor((W + pl + pr - fw) / sw) + 1;
  if (OH < 1 || OW < 1) throw new Error(`internal: empty convolution output ${OH}×${OW}`);
  // The image the patches are read from: x itself, or x zero-padded to Hp × Wp (rows −pt…, columns −pl…).
  const Hp = (OH - 1) * sh + fh, Wp = (OW - 1) * sw + fw;
  const direct = pt === 0 && pl === 0 && Hp <= H && Wp <= W;
  if (into && Co4 !== Co) throw new Error(`internal: convSimd into a tensor needs Co % 4 = 0, got ${Co}`);
  const y = into?.y ?? backend.makeOutput([B, OH, OW, Co4], "float32");
  let src = x, rowFloats = W * Ci, imageRows = H;
  if (!direct) {
    src = backend.makeOutput([B, Hp, Wp, Ci], "float32");
    rowFloats = Wp * Ci;
    imageRows = Hp;
    padInto(backend, x, src, pt, pl);
  }
  const K = fh * fw * Ci;
  // f packed tile by tile: tile t holds f[k][8t … 8t + 7] for every k (K·32 contiguous bytes), then the last
  // 4 channels when Co ≡ 4 (mod 8): each pass of a kernel over a tile reads one contiguous stream.
  const packed = backend.makeOutput([K * Co4], "float32");
  packTiles(heapF32(backend, f), heapF32(backend, packed), K, Co, Co4);
  const xp = addressOf(backend, src), pp = addressOf(backend, packed), yp = addressOf(backend, y);
  const memory = memoryOf(backend);
  const [image, row, pixel] = into ? [into.image, into.row, into.pixel] : [OH * OW * Co4, OW * Co4, Co4];
  const out = [yp + (into?.offset ?? 0) * 4, image * 4, row * 4, pixel * 4];
  const geometry = [OH, OW, Co4, fh, fw, Ci, sh, sw, imageRows * rowFloats, rowFloats, panelBytes];
  const args = [xp, pp, ...out, ...geometry, simdUsesFma() ? 1 : 0];
  parallelFor("convRows", convRows, memory, args, B * OH);
  backend.disposeData(packed.dataId);
  if (src !== x) backend.disposeData(src.dataId);
  if (Co4 === Co) return y;
  const compact = backend.makeOutput([B, OH, OW, Co], "float32");
  const from = heapF32(backend, y), to = heapF32(backend, compact);
  for (let p = 0, q = 0; q < to.length; p += Co4, q += Co) {
    for (let c = 0; c < Co; c++) to[q + c] = from[p + c];
  }
  backend.disposeData(y.dataId);
  return compact;
}

/**
 * Output rows [r0, r1) (row r: image ⌊r / OH⌋, output row r mod OH) of the convolution {@link convSimd}
 * prepared, on any thread ({@link parallelFor}). `args`: the addresses of the (padded) input, the packed
 * filter and the output, the output's strides in bytes (image, row, pixel), OH, OW, Co4, fh, fw, Ci, sh, sw,
 * floats per (padded) image and per image row, the panel size in bytes, and 1 for fused multiply-add. Each output row is one kernel call per panel of output
 * channels, whatever the split: the result does not depend on it.
 */
export function convRows(memory: WebAssembly.Memory, args: Float64Array, i0: number, i1: number): void {
  const [xp, pp, yp, yImage, yRow, yPixel, OH, OW, Co4, fh, fw, Ci, sh, sw, imageFloats, rowFloats] = args;
  const [panelBytes, fma] = args.subarray(16);
  const K = fh * fw * Ci, nTa = Math.floor(OW / 4), ra = OW % 4, nTb = Math.floor(Co4 / 8), rb = Co4 % 8;
  // Each output element is computed whole by one call (one panel, all of K): kernels whose sums start at 0.
  const k = tileKernelsOn(memory, sw * Ci * 4, fma === 1, true); // a pixel's patch is sw·Ci floats after the last
  const aCol = 4, aRow = rowFloats * 4, acc = yPixel;
  const perPanel = Math.max(1, Math.floor(panelBytes / (K * 32)));
  // Panels of tiles of output channels [first channel, tiles, NR, address] (8 wide, then one 4 wide when
  // Co4 ≡ 4 (mod 8)): a panel is read for every output row.
  const panels: [number, number, 4 | 8, number][] = [];
  for (let t0 = 0; t0 < nTb; t0 += perPanel) {
    panels.push([t0 * 8, Math.min(perPanel, nTb - t0), 8, pp + t0 * K * 32]);
  }
  if (rb) panels.push([nTb * 8, 1, 4, pp + nTb * K * 32]);
  for (const [c0, tiles, NR, bp] of panels) {
    const bCol = NR * 4, bRow = fw * Ci * NR * 4, bTile = K * NR * 4;
    for (let r = i0; r < i1; r++) {
      const b = Math.floor(r / OH), oh = r - b * OH;
      const a = xp + (b * imageFloats + oh * sh * rowFloats) * 4;
      const out = yp + b * yImage + oh * yRow + c0 * 4;
      if (nTa > 0) k[4][NR](a, bp, out, fh, fw * Ci, aCol, aRow, bCol, bRow, nTa, tiles, acc, bTile);
      if (ra) {
        const a1 = a + nTa * 4 * sw * Ci * 4, out1 = out + nTa * 4 * acc;
        k[ra][NR](a1, bp, out1, fh, fw * Ci, aCol, aRow, bCol, bRow, 1, tiles, acc, bTile);
      }
    }
  }
}

/**
 * f [K, Co] widened with zero columns to Co4 (a multiple of 4), as tiles of 8 columns (each [K, 8],
 * row-major), then the last 4 columns [K, 4] if Co4 ≡ 4 (mod 8).
 */
function packTiles(f: Float32Array, out: Float32Array, K: number, Co: number, Co4: number): void {
  let o = 0;
  for (let c0 = 0; c0 < Co4; c0 += 8) {
    const w = Math.min(8, Co4 - c0), real = Math.max(0, Math.min(w, Co - c0));
    for (let k = 0; k < K; k++) {
      const r = k * Co + c0;
      for (let c = 0; c < real; c++) out[o++] = f[r + c];
      for (let c = real; c < w; c++) out[o++] = 0;
    }
  }
}

/** dst[b, i, j] = x[b, i − pt, j − pl] inside x, else 0. */
function padInto(backend: BackendWasm, x: Info, dst: Info, pt: number, pl: number): void {
  const [B, H, W, C] = x.shape, [, Hp, Wp] = dst.shape;
  const xs = heapF32(backend, x), d = heapF32(backend, dst);
  // Columns j with 0 ≤ j − pl < W.
  const j0 = Math.max(0, pl), j1 = Math.min(Wp, W + pl);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < Hp; i++) {
      const row = (b * Hp + i) * Wp * C, ih = i - pt;
      if (ih < 0 || ih >= H || j1 <= j0) {
        d.fill(0, row, row + Wp * C);
        continue;
      }
      d.fill(0, row, row + j0 * C);
      const s = ((b * H + ih) * W + (j0 - pl)) * C;
      d.set(xs.subarray(s, s + (j1 - j0) * C), row + j0 * C);
      d.fill(0, row + j1 * C, row + Wp * C);
    }
  }
}
