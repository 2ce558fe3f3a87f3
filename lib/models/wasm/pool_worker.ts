/**
 * A worker of {@link ./pool.ts}: waits for a job on the shared control block, runs its chunk of the items,
 * counts itself done. Loads the kernels' job functions ({@link ./pool_jobs.ts}), never TensorFlow.js.
 *
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import { chunkOf, CTL, SPIN } from "./pool.ts";
import { JOBS } from "./pool_jobs.ts";

const { memory, ctl, args, index } = workerData as {
  memory: WebAssembly.Memory;
  ctl: Int32Array<SharedArrayBuffer>;
  args: Float64Array<SharedArrayBuffer>;
  index: number;
};
const jobs = Object.values(JOBS);

parentPort!.postMessage("ready");
let seen = Atomics.load(ctl, CTL.seq);
for (;;) {
  let spins = 0;
  while (Atomics.load(ctl, CTL.seq) === seen) {
    if (++spins > SPIN) Atomics.wait(ctl, CTL.seq, seen, 1000);
  }
  seen = Atomics.load(ctl, CTL.seq);
  if (Atomics.load(ctl, CTL.quit)) break;
  const n = ctl[CTL.threads];
  if (index < n) {
    const [i0, i1] = chunkOf(index, n, ctl[CTL.count]);
    try {
      if (i1 > i0) jobs[ctl[CTL.job]](memory, args, i0, i1);
    } catch (e) {
      console.error(`wasm thread pool worker ${index}:`, e);
      Atomics.store(ctl, CTL.error, 1);
    }
  }
  Atomics.add(ctl, CTL.done, 1);
  Atomics.notify(ctl, CTL.done);
}
