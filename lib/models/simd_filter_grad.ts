/**
 * A convolution's filter gradient computed directly in WebAssembly SIMD on the tfjs `wasm` heap, without
 * im2col or a transposed copy:
 *
 *   df[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·sh + kh − pt, ow·sw + kw − pl, ci] · dy[b, oh, ow, co]
 *
 * For each image b and tap (kh, kw), the (oh, ow) whose input pixel is inside the image form a rectangle; a
 * block of a few of its rows is one call of a register-tiled kernel: for every tile of 4 input channels ×
 * 8 output channels it keeps the 4 × 8 sums in eight 128-bit registers and, per output pixel, broadcasts
 * the 4 inputs (`v128.load32_splat`), loads the 8 gradients and multiply-adds (`f32x4.relaxed_madd`: one
 * fused instruction where the CPU has FMA; a multiply and an add where the engine lacks relaxed SIMD). A
 * block's inputs, gradients and the tap's [Ci, Co] sums stay in the L1 cache while every tile passes over
 * them. (XNNPACK's convolution, the other way to get this gradient, sees only B channels per tap, streams
 * its whole packed operand per tile, and reached 15–28 GFLOP/s on D's strided layers against 36 for the
 * forward convolutions.)
 *
 * The kernels are generated at run time with {@link Asm} and import the backend's memory, so tensors are
 * read and written in place. Output channels (or, with the roles of x and dy swapped, input channels) must
 * be a multiple of 4; {@link filterGradSimd} returns false otherwise.
 *
 * @module
 */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { Asm, buildModule, hasRelaxedSimd, I32, V128 } from "./wasm_asm.ts";

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

/**
 * A kernel: (aPtr, bPtr, accPtr, nRows, nCols, aColStep, aRowStep, bColStep, bRowStep, nTa, nTb, accStride)
 * (byte addresses and strides): for ta < nTa, tb < nTb, acc[ta·MR + r][tb·NR + c] (rows accStride bytes
 * apart) += Σ_{row < nRows, col < nCols} a[row, col][ta·MR + r] · b[row, col][tb·NR + c], where a[row,
 * col] starts at aPtr + row·aRowStep + col·aColStep (likewise b). All counts ≥ 1.
 */
type TileKernel = (
  aPtr: number,
  bPtr: number,
  accPtr: number,
  nRows: number,
  nCols: number,
  aColStep: number,
  aRowStep: number,
  bColStep: number,
  bRowStep: number,
  nTa: number,
  nTb: number,
  accStride: number,
) => void;

/** The tile kernel for MR rows (1–4) × NR columns (4 or 8). */
function tileKernel(MR: number, NR: number, fma: boolean): Asm {
  const f = new Asm(Array(12).fill(I32));
  const [aPtr, bPtr, accPtr, nRows, nCols, aColStep, aRowStep, bColStep, bRowStep, nTa, nTb, accStride] = [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
  ];
  const ta = f.local(I32), tb = f.local(I32), a0 = f.local(I32), b0 = f.local(I32), accT = f.local(I32);
  const acc = f.local(I32), p = f.local(I32), pa = f.local(I32), pb = f.local(I32), paRow = f.local(I32);
  const pbRow = f.local(I32), row = f.local(I32), col = f.local(I32), accTileStep = f.local(I32);
  const NQ = NR / 4;
  const sums = Array.from({ length: MR }, () => Array.from({ length: NQ }, () => f.local(V128)));
  const bq = Array.from({ length: NQ }, () => f.local(V128));
  const s = f.local(V128);
  // Each tile's sums in (load) or out of (store) registers: row r at acc + r·accStride.
  const moveSums = (store: boolean) => {
    f.get(acc).set(p);
    for (let r = 0; r < MR; r++) {
      for (let q = 0; q < NQ; q++) {
        if (store) f.get(p).get(sums[r][q]).store(16 * q);
        else f.get(p).load(16 * q).set(sums[r][q]);
      }
      if (r + 1 < MR) f.incBy(p, accStride);
    }
  };
  f.get(accStride).i32(MR).mul().set(accTileStep);
  f.get(aPtr).set(a0).get(accPtr).set(accT).get(nTa).set(ta);
  f.loop(); // tiles of a
  {
    f.get(bPtr).set(b0).get(accT).set(acc).get(nTb).set(tb);
    f.loop(); // tiles of b
    {
      moveSums(false);
      f.get(a0).set(paRow).get(b0).set(pbRow).get(nRows).set(row);
      f.loop(); // rows
      {
        f.get(paRow).set(pa).get(pbRow).set(pb).get(nCols).set(col);
        f.loop(); // columns: one output pixel
        {
          for (let q = 0; q < NQ; q++) f.get(pb).load(16 * q).set(bq[q]);
          for (let r = 0; r < MR; r++) {
            f.get(pa).loadSplat(4 * r).set(s);
            for (let q = 0; q < NQ; q++) {
              if (fma) f.get(s).get(bq[q]).get(sums[r][q]).f32x4Madd();
              else f.get(s).get(bq[q]).f32x4Mul().get(sums[r][q]).f32x4Add();
              f.set(sums[r][q]);
            }
          }
          f.incBy(pa, aColStep).incBy(pb, bColStep);
          f.get(col).i32(1).sub().tee(col).brIf(0);
        }
        f.end();
        f.incBy(paRow, aRowStep).incBy(pbRow, bRowStep);
        f.get(row).i32(1).sub().tee(row).brIf(0);
      }
      f.end();
      moveSums(true);
      f.inc(b0, 4 * NR).inc(acc, 4 * NR);
      f.get(tb).i32(1).sub().tee(tb).brIf(0);
    }
    f.end();
    f.inc(a0, 4 * MR).incBy(accT, accTileStep);
    f.get(ta).i32(1).sub().tee(ta).brIf(0);
  }
  f.end();
  return f;
}

interface Kernels {
  /** kernels[MR][NR] for MR 1–4, NR 4 or 8 */
  k: Record<number, Record<number, TileKernel>>;
  fma: boolean;
}

const instances = new WeakMap<WebAssembly.Memory, Kernels>();

/** The backend's wasm memory (emscripten's `Module.asm.memory`). */
function memoryOf(backend: BackendWasm): WebAssembly.Memory {
  const m = backend.wasm as unknown as {
    asm?: { memory?: WebAssembly.Memory };
    wasmMemory?: WebAssembly.Memory;
  };
  const mem = m.asm?.memory ?? m.wasmMemory;
  if (!(mem instanceof WebAssembly.Memory)) {
    throw new Error("internal: the wasm backend's memory is not reachable");
  }
  return mem;
}

/** Whether relaxed SIMD is used (probed once). */
let relaxed: boolean | null = null;

function kernelsFor(backend: BackendWasm): Kernels {
  const memory = memoryOf(backend);
  let ks = instances.get(memory);
  if (ks) return ks;
  relaxed ??= hasRelaxedSimd();
  const fns: Record<string, Asm> = {};
  for (const MR of [1, 2, 3, 4]) for (const NR of [4, 8]) fns[`k${MR}x${NR}`] = tileKernel(MR, NR, relaxed);
  const inst = new WebAssembly.Instance(new WebAssembly.Module(buildModule(fns)), { env: { memory } });
  const k: Kernels["k"] = {};
  for (const MR of [1, 2, 3, 4]) {
    k[MR] = {};
    for (const NR of [4, 8]) k[MR][NR] = inst.exports[`k${MR}x${NR}`] as TileKernel;
  }
  ks = { k, fma: relaxed };
  instances.set(memory, ks);
  return ks;
}

/** Whether the kernels use fused multiply-add (relaxed SIMD), after the first {@link filterGradSimd}. */
export function simdUsesFma(): boolean | null {
  return relaxed;
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
  const { k } = kernelsFor(backend);
  // a: the broadcast operand (its channels are the rows of each tap's sums), b: the vector operand.
  const nA = transposed ? Co : Ci, nB = transposed ? Ci : Co;
  const xCol = sw * Ci * 4, xRow = sh * W * Ci * 4, dyCol = Co * 4, dyRow = OW * Co * 4;
  const [aCol, aRow, bCol, bRow] = transposed ? [dyCol, dyRow, xCol, xRow] : [xCol, xRow, dyCol, dyRow];
  const accStride = nB * 4;
  const nTa = Math.floor(nA / 4), ra = nA % 4, nTb = Math.floor(nB / 8), rb = nB % 8; // rb is 0 or 4
  const call = (a: number, b: number, acc: number, rows: number, cols: number) => {
    if (nTa > 0 && nTb > 0) k[4][8](a, b, acc, rows, cols, aCol, aRow, bCol, bRow, nTa, nTb, accStride);
    if (nTa > 0 && rb) {
      k[4][4](a, b + nTb * 32, acc + nTb * 32, rows, cols, aCol, aRow, bCol, bRow, nTa, 1, accStride);
    }
    if (ra) {
      const a1 = a + nTa * 16, acc1 = acc + nTa * 4 * accStride;
      if (nTb > 0) k[ra][8](a1, b, acc1, rows, cols, aCol, aRow, bCol, bRow, 1, nTb, accStride);
      if (rb) {
        k[ra][4](a1, b + nTb * 32, acc1 + nTb * 32, rows, cols, aCol, aRow, bCol, bRow, 1, 1, accStride);
      }
    }
  };
  // Per tap: the rectangle of output pixels whose input pixel (oh·sh + kh − pt, ow·sw + kw − pl) is inside.
  const taps: { kh: number; kw: number; oh0: number; oh1: number; ow0: number; cols: number; per: number }[] =
    [];
  for (let kh = 0; kh < fh; kh++) {
    const oh0 = Math.max(0, Math.ceil((pt - kh) / sh)),
      oh1 = Math.min(OH - 1, Math.floor((H - 1 + pt - kh) / sh));
    for (let kw = 0; kw < fw; kw++) {
      const ow0 = Math.max(0, Math.ceil((pl - kw) / sw)),
        ow1 = Math.min(OW - 1, Math.floor((W - 1 + pl - kw) / sw));
      if (oh1 < oh0 || ow1 < ow0) continue;
      const cols = ow1 - ow0 + 1;
      taps.push({ kh, kw, oh0, oh1, ow0, cols, per: Math.max(1, Math.ceil(minPixels / cols)) });
    }
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
  return { transposed };
}
