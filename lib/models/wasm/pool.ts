/**
 * Threads for our kernels: a pool of workers on the threaded wasm backend's shared memory
 * ({@link ./threaded_build.ts}), each with its own instances of the tile kernels ({@link ./tile.ts}).
 *
 * A kernel splits its work into `count` items (output rows of a convolution, taps of a filter gradient) and
 * calls {@link parallelFor}: with a pool of n threads, the calling thread runs the first of n contiguous
 * chunks and each worker one other, then the caller waits until all are done; without one, the caller runs
 * every item. Items write disjoint outputs and each item's arithmetic does not depend on the split, so the
 * result is bit for bit the same for every thread count.
 *
 * Hand-off is through a control block of shared integers: the caller writes the job's numbers, bumps a
 * generation counter and notifies; a worker spins on the counter for a short while (a step runs hundreds of
 * kernels back to back, and waking a sleeping thread costs 5–50 µs), then sleeps in `Atomics.wait`. Workers
 * are `node:worker_threads` workers, unreferenced, so that they never keep a process alive; a Deno web
 * worker blocked in `Atomics.wait` cannot even be terminated.
 *
 * @module
 */
import { Worker } from "node:worker_threads";

/**
 * A job: runs items [i0, i1) of a kernel's work on `memory`, reading its numbers from `args` (byte
 * addresses, sizes). Jobs a worker can run are listed by name in {@link ./pool_jobs.ts}.
 */
export type Job = (memory: WebAssembly.Memory, args: Float64Array, i0: number, i1: number) => void;

/** Slots of the control block. */
export const CTL = { seq: 0, done: 1, quit: 2, job: 3, count: 4, threads: 5, error: 6 } as const;
/** Numbers a job may take. */
export const MAX_ARGS = 64;

/** A pool of `threads − 1` workers (the calling thread is the first of `threads`). */
export class WasmPool {
  /** Threads that run a job, the caller's included. */
  readonly threads: number;
  readonly #memory: WebAssembly.Memory;
  readonly #ctl: Int32Array<SharedArrayBuffer>;
  readonly #args: Float64Array<SharedArrayBuffer>;
  readonly #names: readonly string[];

  private constructor(
    memory: WebAssembly.Memory,
    threads: number,
    ctl: Int32Array<SharedArrayBuffer>,
    args: Float64Array<SharedArrayBuffer>,
    names: readonly string[],
  ) {
    this.#memory = memory;
    this.threads = threads;
    this.#ctl = ctl;
    this.#args = args;
    this.#names = names;
  }

  /**
   * Starts `threads − 1` workers on a shared wasm memory and resolves once each has built its kernels.
   *
   * @param jobNames the names of the jobs in {@link ./pool_jobs.ts}, in order (the control block carries
   *   a job's index)
   */
  static async start(
    memory: WebAssembly.Memory,
    threads: number,
    jobNames: readonly string[],
  ): Promise<WasmPool> {
    if (!Number.isInteger(threads) || threads < 2) {
      throw new Error(`a pool needs at least 2 threads, got ${threads}`);
    }
    if (!(memory.buffer instanceof SharedArrayBuffer)) {
      throw new Error("a pool needs the threaded wasm backend's shared memory");
    }
    const ctl = new Int32Array(new SharedArrayBuffer(16 * 4));
    const args = new Float64Array(new SharedArrayBuffer(MAX_ARGS * 8));
    const workers: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let index = 1; index < threads; index++) {
      const w = new Worker(new URL("./pool_worker.ts", import.meta.url), {
        workerData: { memory, ctl, args, index },
      });
      ready.push(
        new Promise((resolve, reject) => {
          w.once("message", (m: unknown) => m === "ready" ? resolve() : reject(new Error(String(m))));
          w.once("error", reject);
        }),
      );
      workers.push(w);
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      Atomics.store(ctl, CTL.quit, 1);
      for (const w of workers) await w.terminate();
      throw new Error(`the wasm thread pool did not start: ${e instanceof Error ? e.message : e}`);
    }
    for (const w of workers) w.unref();
    return new WasmPool(memory, threads, ctl, args, jobNames);
  }

  /** Runs `job` (registered as `name`) over items [0, count) on every thread; returns when all are done. */
  run(name: string, job: Job, args: readonly number[], count: number): void {
    const n = Math.min(this.threads, count);
    if (n < 2) {
      job(this.#memory, Float64Array.from(args), 0, count);
      return;
    }
    const id = this.#names.indexOf(name);
    if (id < 0) throw new Error(`internal: no pool job '${name}' (known: ${this.#names.join(", ")})`);
    if (args.length > MAX_ARGS) throw new Error(`internal: pool job '${name}' takes ${args.length} numbers`);
    const ctl = this.#ctl;
    this.#args.set(args);
    ctl[CTL.job] = id;
    ctl[CTL.count] = count;
    ctl[CTL.threads] = n;
    Atomics.store(ctl, CTL.done, 0);
    Atomics.add(ctl, CTL.seq, 1);
    Atomics.notify(ctl, CTL.seq);
    try {
      job(this.#memory, this.#args, 0, Math.floor(count / n));
    } finally {
      // Even when this thread's chunk failed: the next job must not start while workers still run this one.
      // Workers whose chunk index is ≥ n have nothing to do and count themselves done at once.
      const others = this.threads - 1;
      let spins = 0;
      for (let d = Atomics.load(ctl, CTL.done); d < others; d = Atomics.load(ctl, CTL.done)) {
        if (++spins > SPIN) Atomics.wait(ctl, CTL.done, d, 1000);
      }
    }
    if (Atomics.exchange(ctl, CTL.error, 0) !== 0) {
      throw new Error(`a worker of the wasm thread pool failed in job '${name}'`);
    }
  }
}

/** Polls of a shared counter before sleeping on it (≈ 20–50 µs). */
export const SPIN = 4000;

/** Items [i0, i1) of chunk `k` of `n` over `count` items. */
export function chunkOf(k: number, n: number, count: number): [number, number] {
  return [Math.floor((k * count) / n), Math.floor(((k + 1) * count) / n)];
}

let active: WasmPool | null = null;

/** Makes `pool` the one {@link parallelFor} uses (null: run on the calling thread). */
export function setActivePool(pool: WasmPool | null): void {
  active = pool;
}

/** The pool {@link parallelFor} uses, if any. */
export function activePool(): WasmPool | null {
  return active;
}

/**
 * Runs `job` over items [0, count): on the active pool's threads when there is one and its memory is
 * `memory`, else here.
 */
export function parallelFor(
  name: string,
  job: Job,
  memory: WebAssembly.Memory,
  args: readonly number[],
  count: number,
): void {
  if (active && memory.buffer instanceof SharedArrayBuffer) active.run(name, job, args, count);
  else job(memory, Float64Array.from(args), 0, count);
}
