/**
 * Register-tiled WebAssembly SIMD kernels on the tfjs `wasm` heap, generated at run time with {@link Asm}:
 * the inner loop of our filter gradients ({@link ./filter_grad_simd.ts}) and forward convolutions
 * ({@link ./conv_simd.ts}).
 *
 * A kernel keeps an MR × NR tile of sums (MR ≤ 4 rows, NR = 4 or 8 columns) in MR·NR/4 128-bit registers
 * and, per step of its two nested loops, broadcasts MR floats of one operand (`v128.load32_splat`), loads NR
 * floats of the other and multiply-adds (`f32x4.relaxed_madd`: one fused instruction where the CPU has FMA;
 * a multiply and an add where the engine lacks relaxed SIMD). The modules import the backend's memory, so
 * tensors are read and written in place. (tfjs's XNNPACK build multiplies and adds separately; with FMA
 * these kernels reach 43–48 GFLOP/s on one core of the development machine against XNNPACK's 36.)
 *
 * @module
 */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { Asm, buildModule, hasRelaxedSimd, I32, V128 } from "./asm.ts";

/**
 * A kernel: (aPtr, bPtr, accPtr, nRows, nCols, aColStep, aRowStep, bColStep, bRowStep, nTa, nTb, accStride,
 * bTileStep) (byte addresses and strides): for ta < nTa, tb < nTb, acc[ta·MR + r][tb·NR + c] (rows
 * accStride bytes apart, tiles 4·NR bytes) += Σ_{row < nRows, col < nCols} a[row, col][ta·MR + r] · b_tb[row,
 * col][c], where a[row, col][i] is the float at aPtr + row·aRowStep + col·aColStep + i·lane (lane: the
 * module's lane stride in bytes) and b_tb[row, col][j] the float at bPtr + tb·bTileStep + row·bRowStep +
 * col·bColStep + 4·j. All counts ≥ 1.
 */
export type TileKernel = (
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
  bTileStep: number,
) => void;

/**
 * The tile kernel for MR rows (1–4) × NR columns (4 or 8). `fresh`: the sums start at zero instead of at
 * acc's values (acc is then written, never read: for outputs that one call computes whole).
 */
function tileKernel(MR: number, NR: number, lane: number, fma: boolean, fresh = false): Asm {
  const f = new Asm(Array(13).fill(I32));
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
  const bTileStep = 12;
  const ta = f.local(I32), tb = f.local(I32), a0 = f.local(I32), b0 = f.local(I32), accT = f.local(I32);
  const acc = f.local(I32), p = f.local(I32), pa = f.local(I32), pb = f.local(I32), paRow = f.local(I32);
  const pbRow = f.local(I32), row = f.local(I32), col = f.local(I32), accTileStep = f.local(I32);
  const NQ = NR / 4;
  const sums = Array.from({ length: MR }, () => Array.from({ length: NQ }, () => f.local(V128)));
  const bq = Array.from({ length: NQ }, () => f.local(V128));
  const s = f.local(V128);
  // Each tile's sums in (load) or out of (store) registers: row r at acc + r·accStride.
  const moveSums = (store: boolean) => {
    if (!store && fresh) {
      for (let r = 0; r < MR; r++) for (let q = 0; q < NQ; q++) f.v128Zero().set(sums[r][q]);
      return;
    }
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
            f.get(pa).loadSplat(lane * r).set(s);
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
      f.incBy(b0, bTileStep).inc(acc, 4 * NR);
      f.get(tb).i32(1).sub().tee(tb).brIf(0);
    }
    f.end();
    f.inc(a0, lane * MR).incBy(accT, accTileStep);
    f.get(ta).i32(1).sub().tee(ta).brIf(0);
  }
  f.end();
  return f;
}

/** Tile kernels by rows MR (1–4) and columns NR (4 or 8): `k[MR][NR]`. */
export type TileKernels = Record<number, Record<number, TileKernel>>;

const instances = new WeakMap<WebAssembly.Memory, Map<string, TileKernels>>();

/** The backend's wasm memory (emscripten's `Module.asm.memory`; the threaded build's `wasmMemory`). */
export function memoryOf(backend: BackendWasm): WebAssembly.Memory {
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

/** Whether this engine has relaxed SIMD (probed once). */
let relaxed: boolean | null = null;

/** Options: `fma` null (default) uses fused multiply-add when the engine has relaxed SIMD; false never. */
export const simdOptions: { fma: boolean | null } = { fma: null };

/** Whether the kernels built now use fused multiply-add. */
export function simdUsesFma(): boolean {
  relaxed ??= hasRelaxedSimd();
  return relaxed && simdOptions.fma !== false;
}

/**
 * The tile kernels whose broadcast operand's values are `lane` bytes apart (4: consecutive channels), as
 * one module on the backend's memory (compiled once per memory, lane stride and multiply-add form).
 */
export function tileKernels(backend: BackendWasm, lane: number): TileKernels {
  return tileKernelsOn(memoryOf(backend), lane);
}

/**
 * {@link tileKernels} on a memory (a worker of {@link ./pool.ts} builds its own on the shared memory), with
 * fused multiply-add or not (default: as {@link simdUsesFma} says here); `fresh` kernels start their sums
 * at zero and never read acc ({@link tileKernel}).
 */
export function tileKernelsOn(
  memory: WebAssembly.Memory,
  lane: number,
  fma = simdUsesFma(),
  fresh = false,
): TileKernels {
  let byKey = instances.get(memory);
  if (!byKey) instances.set(memory, byKey = new Map());
  const key = `${lane}/${fma}/${fresh}`;
  let k = byKey.get(key);
  if (k) return k;
  const fns: Record<string, Asm> = {};
  for (const MR of [1, 2, 3, 4]) {
    for (const NR of [4, 8]) fns[`k${MR}x${NR}`] = tileKernel(MR, NR, lane, fma, fresh);
  }
  // A threaded backend's memory is shared (at most 65,536 pages, as emscripten declares it).
  const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
  const module = new WebAssembly.Module(buildModule(fns, shared ? 65536 : undefined));
  const inst = new WebAssembly.Instance(module, { env: { memory } });
  k = {};
  for (const MR of [1, 2, 3, 4]) {
    k[MR] = {};
    for (const NR of [4, 8]) k[MR][NR] = inst.exports[`k${MR}x${NR}`] as TileKernel;
  }
  byKey.set(key, k);
  return k;
}
