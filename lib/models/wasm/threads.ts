/**
 * Threads for the `wasm` backend: its threaded build ({@link ./threaded_build.ts}: XNNPACK's operators on
 * `threads` threads) and a pool of workers for our own kernels on the same shared memory
 * ({@link ./pool.ts}).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { activePool, setActivePool, WasmPool } from "./pool.ts";
import { JOBS } from "./pool_jobs.ts";
import { memoryOf } from "./tile.ts";
import { loadThreadedWasm } from "./threaded_build.ts";

/**
 * Activates the `wasm` backend on `threads` threads (≥ 2): the threaded build, and the pool our kernels
 * split their work across. Once per process.
 */
export async function startWasmThreads(threads: number): Promise<void> {
  if (activePool()) {
    if (activePool()!.threads === threads) return;
    throw new Error(`the wasm backend already runs ${activePool()!.threads} threads in this process`);
  }
  await loadThreadedWasm(threads);
  const memory = memoryOf(tf.backend() as BackendWasm);
  setActivePool(await WasmPool.start(memory, threads, Object.keys(JOBS)));
}
