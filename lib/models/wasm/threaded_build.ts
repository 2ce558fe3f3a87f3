/**
 * The tfjs wasm backend's threaded SIMD build (emscripten pthreads: XNNPACK's operators on a pthreadpool,
 * one shared `WebAssembly.Memory`) under Deno, where tfjs would only load its single-threaded build.
 *
 * In Deno the package takes its Node.js path, on which (1) `WASM_HAS_MULTITHREAD_SUPPORT` is false; (2)
 * emscripten sets `globalThis.Worker = require("worker_threads").Worker` and starts each pthread as
 * `new Worker(blobUrl)` of tfjs's inlined worker script, which Node's `Worker` refuses (it takes a path);
 * (3) that script, in Node mode, `Object.assign`s names onto a worker global whose `location` and `self`
 * are getter-only in Deno, and loads the module factory with `importScripts(blob)` through
 * `fs.readFileSync`; (4) the factory text refers to names of the bundle's scope (`require$$0`…,
 * `commonjsGlobal`, tslib helpers); (5) tfjs caps the thread count at `os.cpus().length / 2`; (6) emscripten
 * `ref()`s a worker running a pthread, and XNNPACK's never end, so the process would never exit.
 *
 * {@link loadThreadedWasm} therefore: owns the global `Worker` through an accessor (emscripten's assignment
 * is ignored; its `new Worker(blobUrl)` gets a {@link PthreadWorker}, which writes the script with a
 * prelude for (3) and (4) to a temporary `.cjs` file and starts a `node:worker_threads` worker on it, the
 * factory Blob passed as a file too; a module worker, `new Worker(url, { type: "module" })`, is Deno's as
 * before); reports enough logical cores while the module initialises; and keeps every pthread worker
 * unreferenced. Results are bit for bit those of the single-threaded build (XNNPACK's kernels are the
 * same; each output is summed in the same order whatever the thread count).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { getThreadsCount, setThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import { Worker as NodeWorker } from "node:worker_threads";
import os from "node:os";

/** Defined in the worker before tfjs's script: the bundle-scope names the factory text uses, and (3). */
const PRELUDE = `
globalThis.require$$0 = require("fs");
globalThis.require$$1 = require("path");
globalThis.require$$3 = require("perf_hooks");
globalThis.require$$4 = require("os");
globalThis.commonjsGlobal = globalThis;
globalThis._scriptDir = __filename;
globalThis.__values = function (o) { return o[Symbol.iterator](); };
globalThis.__read = function (o, n) { var a = Array.from(o); return n === undefined ? a : a.slice(0, n); };
globalThis.__spreadArray = function (to, from) { return to.concat(Array.prototype.slice.call(from)); };
for (const k of ["self", "require", "Module", "location", "Worker", "importScripts", "postMessage", "performance"]) {
  Object.defineProperty(globalThis, k, { value: globalThis[k], writable: true, configurable: true, enumerable: true });
}
`;

let tmpDir: string | null = null;
let workerScript: Promise<string> | null = null;
const factoryFiles = new WeakMap<Blob, Promise<string>>();

const TMP_PREFIX = "morphogan-wasm-threads-";

/**
 * The folder of this process's worker scripts (`morphogan-wasm-threads-<pid>-…` in the temporary folder,
 * removed when the process ends normally). A process killed outright leaves its folder; the next one
 * removes those whose process is gone (where /proc tells).
 */
function tmp(): string {
  if (tmpDir === null) {
    removeStale();
    const dir = tmpDir = Deno.makeTempDirSync({ prefix: `${TMP_PREFIX}${Deno.pid}-` });
    globalThis.addEventListener("unload", () => {
      try {
        Deno.removeSync(dir, { recursive: true });
      } catch { /* already gone */ }
    });
  }
  return tmpDir;
}

function removeStale(): void {
  try {
    const root = os.tmpdir();
    if (!Deno.statSync("/proc/self").isDirectory) return;
    for (const e of Deno.readDirSync(root)) {
      const m = e.isDirectory && e.name.startsWith(TMP_PREFIX)
        ? /^(\d+)-/.exec(e.name.slice(TMP_PREFIX.length))
        : null;
      if (!m || Number(m[1]) === Deno.pid) continue;
      try {
        Deno.statSync(`/proc/${m[1]}`);
      } catch {
        Deno.removeSync(`${root}/${e.name}`, { recursive: true });
      }
    }
  } catch { /* best effort: no /proc, or a folder another process removes first */ }
}

async function writeFile(name: string, text: string): Promise<string> {
  const path = `${tmp()}/${name}`, part = `${path}.part`;
  await Deno.writeTextFile(part, text);
  await Deno.rename(part, path);
  return path;
}

type Listener = (...args: unknown[]) => void;

/**
 * What emscripten's `new Worker(blobUrl)` gets: a `node:worker_threads` worker on a file holding the
 * prelude and the script, started once the file is written; messages and listeners wait until then.
 */
class PthreadWorker {
  #real: NodeWorker | null = null;
  #ready: Promise<void>;
  #queued = 0;
  #listeners: [string, Listener][] = [];
  #terminated = false;
  // emscripten assigns these (and listens through `on`).
  onmessage: unknown = null;
  onerror: unknown = null;

  constructor(url: string | URL) {
    workerScript ??= (async () => {
      const source = await (await fetch(String(url))).text();
      return await writeFile("tfjs-backend-wasm-threaded-simd.worker.cjs", PRELUDE + source);
    })();
    this.#ready = workerScript.then((path) => {
      if (this.#terminated) return;
      const w = new NodeWorker(path);
      for (const [event, fn] of this.#listeners) w.on(event, fn);
      w.unref();
      this.#real = w;
    });
    this.#ready.catch((e) => console.error(`wasm thread worker did not start: ${e}`));
  }

  postMessage(message: Record<string, unknown>, transfer?: unknown[]): void {
    const blob = message?.urlOrBlob instanceof Blob ? message.urlOrBlob : null;
    // Once the worker runs, synchronously: pthreadpool_create blocks this thread until its threads check in.
    if (this.#real && this.#queued === 0 && !blob) {
      this.#real.postMessage(message, transfer as never);
      return;
    }
    this.#queued++;
    this.#ready = this.#ready.then(async () => {
      if (blob) {
        let file = factoryFiles.get(blob);
        if (!file) factoryFiles.set(blob, file = blob.text().then((t) => writeFile("factory.js", t)));
        message = { ...message, urlOrBlob: await file };
      }
      this.#real?.postMessage(message, transfer as never);
      this.#queued--;
    });
  }

  on(event: string, fn: Listener): this {
    if (this.#real) this.#real.on(event, fn);
    else this.#listeners.push([event, fn]);
    return this;
  }

  unref(): void {}

  /** Never referenced: XNNPACK's threads never exit, and must not keep the process alive. */
  ref(): void {}

  terminate(): Promise<number> | undefined {
    this.#terminated = true;
    return this.#real?.terminate();
  }
}

let installed = false;

/** Takes over the global `Worker`: emscripten's pthread workers become {@link PthreadWorker}s. */
function installWorkerShim(): void {
  if (installed) return;
  installed = true;
  const DenoWorker = globalThis.Worker;
  function Worker(url: string | URL, options?: WorkerOptions): object {
    if (options?.type === "module") return new DenoWorker(url, options);
    return new PthreadWorker(url);
  }
  Object.defineProperty(globalThis, "Worker", {
    configurable: true,
    get: () => Worker,
    set: () => {/* emscripten's `commonjsGlobal.Worker = nodeWorkerThreads.Worker` */},
  });
}

/**
 * Activates tfjs's `wasm` backend from its threaded SIMD build with `threads` threads (at least 2). Must
 * run before any other initialisation of the `wasm` backend in this process: the build, once loaded, stays.
 *
 * @throws when the backend does not initialise, or runs with another thread count
 */
export async function loadThreadedWasm(threads: number): Promise<void> {
  if (!Number.isInteger(threads) || threads < 2) {
    throw new Error(`the threaded wasm build needs at least 2 threads, got ${threads}`);
  }
  installWorkerShim();
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  setThreadsCount(threads);
  // tfjs runs at most os.cpus().length / 2 threads (a guess at hyper-threading): report enough cores.
  const cpus = os.cpus;
  os.cpus = () => {
    const c = cpus();
    while (c.length < 2 * threads) c.push(c[0]);
    return c;
  };
  try {
    if (!(await tf.setBackend("wasm"))) throw new Error("the threaded 'wasm' backend did not initialise");
    await tf.ready();
  } finally {
    os.cpus = cpus;
  }
  const got = getThreadsCount();
  if (got !== threads) throw new Error(`the threaded wasm backend runs ${got} threads, not ${threads}`);
}
