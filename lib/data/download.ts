/**
 * A downloader for large datasets: many files fetched in parallel (bounded),
 * resumable with HTTP `Range` requests (data goes to `<dest>.part`, renamed to
 * `<dest>` only when complete and verified), retried with exponential backoff,
 * verified by size, SHA-256 or MD5, optionally unpacked (zip), with progress
 * reports (bytes done and total, rate, ETA) through a callback.
 *
 * A file never appears under its final name unless it is complete and verified;
 * the same holds for files unpacked from an archive.
 *
 * @module
 */

import { formatBytes } from "../../workflow/fsutil.ts";
import { createHash } from "node:crypto";
import { dirname, join, normalize, resolve, sep } from "node:path";
import { Unzip, UnzipInflate, UnzipPassThrough } from "fflate";

/** One file to download. */
export interface DownloadItem {
  /** The URL (http or https). */
  url: string;
  /** The final path of the downloaded file. */
  dest: string;
  /** Expected size in bytes, when known. */
  size?: number;
  /** Expected SHA-256, lowercase hex, when known. */
  sha256?: string;
  /** Expected MD5, lowercase hex, when known. */
  md5?: string;
  /** When set, the file is a zip archive to unpack into this folder after download. */
  unzipTo?: string;
}

/** A progress report. */
export interface DownloadProgress {
  /** Bytes on disk for all items (resumed bytes included). */
  bytesDone: number;
  /** Sum of the known sizes (expected, or as announced by the server); null while any is unknown. */
  bytesTotal: number | null;
  /** Items finished (downloaded or already present, and unpacked). */
  filesDone: number;
  /** Number of items. */
  filesTotal: number;
  /** Transfer rate over the last few seconds, bytes per second. */
  rate: number;
  /** Estimated seconds left, or null when the total or the rate is unknown. */
  etaSeconds: number | null;
  /** URLs being transferred now. */
  active: string[];
}

/** Options for {@linkcode downloadFiles}. */
export interface DownloadOptions {
  /** How many files at once (default 4). */
  concurrency?: number;
  /** Retries per file after the first try (default 5). */
  retries?: number;
  /** First backoff delay in ms; doubles each retry, with jitter (default 1000). */
  backoffMs?: number;
  /** Largest backoff delay in ms (default 60000). */
  maxBackoffMs?: number;
  /** Abort a transfer that receives nothing for this long, then retry (default 60000 ms). */
  stallTimeoutMs?: number;
  /** Called with progress at most every `progressIntervalMs` and once at the end. */
  onProgress?: (p: DownloadProgress) => void;
  /** Minimum ms between progress reports (default 250). */
  progressIntervalMs?: number;
  /**
   * Keep archives after unpacking them (default true). Either way a marker `<dest>.unpacked` lists the
   * unpacked files; while it exists and they all do, the item counts as present and is not fetched again.
   */
  keepArchives?: boolean;
  /** Aborts all transfers. */
  signal?: AbortSignal;
}

/** What happened to one item. */
export interface DownloadResult {
  /** The item's URL. */
  url: string;
  /** The final path. */
  dest: string;
  /** `"downloaded"`, or `"present"` when a verified file was already there. */
  status: "downloaded" | "present";
  /** Size in bytes. */
  bytes: number;
  /** HTTP requests made. */
  attempts: number;
  /** Requests that resumed a partial file with a Range header and got 206. */
  resumed: number;
  /** Files unpacked from the archive (relative to `unzipTo`), when it was unpacked now. */
  unpacked?: string[];
}

/** An error from downloading one item; `retryable` says whether another try may help. */
export class DownloadError extends Error {
  /** Whether a retry may succeed. */
  retryable: boolean;
  /** Makes an error. */
  constructor(message: string, retryable: boolean) {
    super(message);
    this.name = "DownloadError";
    this.retryable = retryable;
  }
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * Downloads items with bounded concurrency; see the module docs.
 *
 * @returns one result per item, in item order
 * @throws Error listing every item that failed (naming its URL and why) after
 * all items have been tried.
 *
 * @example
 * ```ts
 * await downloadFiles([{ url: "https://example.org/a.zip", dest: "data/a.zip", unzipTo: "data" }], {
 *   onProgress: (p) => console.log(formatProgress(p)),
 * });
 * ```
 */
export async function downloadFiles(
  items: readonly DownloadItem[],
  options: DownloadOptions = {},
): Promise<DownloadResult[]> {
  const dests = new Set<string>();
  for (const it of items) {
    if (!/^https?:\/\//.test(it.url)) throw new Error(`Cannot download '${it.url}': expected an http(s) URL`);
    const d = resolve(it.dest);
    if (dests.has(d)) {
      throw new Error(`Cannot download '${it.url}': destination '${it.dest}' is used by two items`);
    }
    dests.add(d);
  }
  const progress = new Progress(items, options);
  const results: (DownloadResult | undefined)[] = new Array(items.length);
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = await downloadOne(items[i], i, options, progress);
      } catch (e) {
        failures.push((e as Error).message);
      } finally {
        progress.finish(i);
      }
    }
  };
  const n = Math.max(1, Math.min(options.concurrency ?? 4, items.length));
  try {
    await Promise.all(Array.from({ length: n }, worker));
  } finally {
    progress.report(true);
  }
  if (failures.length > 0) {
    throw new Error(
      `Download failed for ${failures.length} of ${items.length} file(s):\n` +
        failures.map((f) => `  - ${f}`).join("\n"),
    );
  }
  return results as DownloadResult[];
}

async function fileSize(path: string): Promise<number | null> {
  try {
    return (await Deno.stat(path)).size;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/** Hashes a file with a node:crypto algorithm (e.g. `"sha256"`, `"md5"`), returning lowercase hex. */
export async function hashFile(path: string, algorithm: "sha256" | "md5"): Promise<string> {
  const h = createHash(algorithm);
  using f = await Deno.open(path);
  const buf = new Uint8Array(1 << 20);
  while (true) {
    const n = await f.read(buf);
    if (n === null) break;
    h.update(buf.subarray(0, n));
  }
  return h.digest("hex");
}

/** Verifies a file against an item's expected size and checksums; returns a problem or null. */
async function verifyProblem(path: string, item: DownloadItem): Promise<string | null> {
  const size = await fileSize(path);
  if (size === null) return `expected a file at '${path}', found none`;
  if (item.size !== undefined && size !== item.size) return `expected ${item.size} bytes, found ${size}`;
  for (const alg of ["sha256", "md5"] as const) {
    const want = item[alg];
    if (want) {
      const got = await hashFile(path, alg);
      if (got !== want.toLowerCase()) return `expected ${alg} ${want.toLowerCase()}, found ${got}`;
    }
  }
  return null;
}

async function downloadOne(
  item: DownloadItem,
  index: number,
  options: DownloadOptions,
  progress: Progress,
): Promise<DownloadResult> {
  const part = item.dest + ".part";
  await Deno.mkdir(dirname(item.dest), { recursive: true });
  let status: DownloadResult["status"] = "downloaded";
  let attempts = 0;
  let resumed = 0;
  const marker = item.dest + ".unpacked";
  if (item.unzipTo && (await unpackedFiles(marker, item.unzipTo)) !== null) {
    const bytes = (await fileSize(item.dest)) ?? item.size ?? 0;
    progress.setTotal(index, bytes);
    progress.setDone(index, bytes);
    return { url: item.url, dest: item.dest, status: "present", bytes, attempts: 0, resumed: 0 };
  }
  const present = await fileSize(item.dest);
  if (present !== null && (await verifyProblem(item.dest, item)) === null) {
    status = "present";
    progress.setTotal(index, present);
    progress.setDone(index, present);
  } else {
    if (present !== null) await Deno.remove(item.dest); // a wrong file under the final name: fetch again
    const retries = options.retries ?? 5;
    while (true) {
      attempts++;
      try {
        if (await fetchToPart(item, part, index, options, progress)) resumed++;
        const problem = await verifyProblem(part, item);
        if (problem !== null) {
          await Deno.remove(part).catch(() => {});
          progress.setDone(index, 0);
          throw new DownloadError(`Cannot verify '${item.url}': ${problem}; removed the partial file`, true);
        }
        await Deno.rename(part, item.dest);
        break;
      } catch (e) {
        options.signal?.throwIfAborted();
        const err = e instanceof DownloadError
          ? e
          : new DownloadError(`Cannot download '${item.url}': ${(e as Error).message}`, true);
        if (!err.retryable || attempts > retries) {
          throw new DownloadError(
            `${err.message} (after ${attempts} attempt${attempts === 1 ? "" : "s"})`,
            false,
          );
        }
        const base = (options.backoffMs ?? 1000) * 2 ** (attempts - 1);
        const delay = Math.min(options.maxBackoffMs ?? 60000, base) * (0.5 + 0.5 * jitter(index, attempts));
        await sleep(delay, options.signal);
      }
    }
  }
  const bytes = (await fileSize(item.dest)) ?? 0;
  const result: DownloadResult = { url: item.url, dest: item.dest, status, bytes, attempts, resumed };
  if (item.unzipTo) {
    result.unpacked = await unzipFile(item.dest, item.unzipTo);
    await Deno.writeTextFile(marker + ".part", result.unpacked.join("\n") + "\n");
    await Deno.rename(marker + ".part", marker);
    if (options.keepArchives === false) await Deno.remove(item.dest);
  }
  return result;
}

/** The files an archive's marker lists, when the marker exists and they all exist; else null. */
async function unpackedFiles(marker: string, destDir: string): Promise<string[] | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(marker);
  } catch {
    return null;
  }
  const files = text.split("\n").filter((l) => l !== "");
  for (const f of files) if ((await fileSize(join(destDir, f))) === null) return null;
  return files;
}

/** Transfers into `<dest>.part`, resuming when it exists. Returns whether the server resumed (206). */
async function fetchToPart(
  item: DownloadItem,
  part: string,
  index: number,
  options: DownloadOptions,
  progress: Progress,
): Promise<boolean> {
  let offset = (await fileSize(part)) ?? 0;
  if (item.size !== undefined && offset > item.size) {
    await Deno.remove(part);
    offset = 0;
  }
  if (item.size !== undefined && offset === item.size) return false; // complete: verify it
  progress.setDone(index, offset);
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort);
  const stallMs = options.stallTimeoutMs ?? 60000;
  let timer = setTimeout(() => ctrl.abort(new Error(`no data for ${stallMs} ms`)), stallMs);
  const resetTimer = () => {
    clearTimeout(timer);
    timer = setTimeout(() => ctrl.abort(new Error(`no data for ${stallMs} ms`)), stallMs);
  };
  progress.activate(index, true);
  try {
    const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {};
    let res: Response;
    try {
      res = await fetch(item.url, { headers, signal: ctrl.signal });
    } catch (e) {
      throw new DownloadError(`Cannot download '${item.url}': ${describe(e, ctrl)}`, true);
    }
    if (res.status === 416 && offset > 0) {
      await res.body?.cancel();
      const total = /\*\/(\d+)/.exec(res.headers.get("content-range") ?? "")?.[1];
      if (total !== undefined && Number(total) === offset) return false; // the part is already complete
      await Deno.remove(part);
      progress.setDone(index, 0);
      throw new DownloadError(
        `Cannot download '${item.url}': the server refused to resume at byte ${offset}; restarting`,
        true,
      );
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new DownloadError(
        `Cannot download '${item.url}': the server answered ${res.status} ${res.statusText}`.trimEnd(),
        RETRYABLE_STATUS.has(res.status),
      );
    }
    let append = false;
    let total: number | null = null;
    if (res.status === 206) {
      const m = /bytes\s+(\d+)-(\d+)\/(\d+|\*)/.exec(res.headers.get("content-range") ?? "");
      if (!m || Number(m[1]) !== offset) {
        await res.body?.cancel();
        await Deno.remove(part);
        progress.setDone(index, 0);
        throw new DownloadError(
          `Cannot download '${item.url}': asked to resume at byte ${offset}, the server sent range '${
            res.headers.get("content-range")
          }'`,
          true,
        );
      }
      append = true;
      if (m[3] !== "*") total = Number(m[3]);
    } else {
      offset = 0;
      progress.setDone(index, 0);
      const len = res.headers.get("content-length");
      if (len !== null) total = Number(len);
    }
    if (total !== null && item.size !== undefined && total !== item.size) {
      await res.body?.cancel();
      throw new DownloadError(
        `Cannot download '${item.url}': expected ${item.size} bytes, the server announces ${total}`,
        false,
      );
    }
    progress.setTotal(index, total ?? item.size ?? null);
    let written = offset;
    {
      using f = await Deno.open(part, { write: true, create: true, append, truncate: !append });
      if (!res.body) throw new DownloadError(`Cannot download '${item.url}': the response has no body`, true);
      try {
        for await (const chunk of res.body) {
          resetTimer();
          let p = 0;
          while (p < chunk.length) p += await f.write(chunk.subarray(p));
          written += chunk.length;
          progress.setDone(index, written);
        }
      } catch (e) {
        throw new DownloadError(
          `Cannot download '${item.url}': the transfer broke off after ${written} bytes (${
            describe(e, ctrl)
          })`,
          true,
        );
      }
    }
    if (total !== null && written !== total) {
      throw new DownloadError(
        `Cannot download '${item.url}': the transfer ended after ${written} of ${total} bytes`,
        true,
      );
    }
    return append;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    progress.activate(index, false);
  }
}

/**
 * Unpacks a zip archive into a folder (stored and deflate entries). Each file is
 * written to `<path>.part` and renamed when complete; entries whose names would
 * leave the folder are refused.
 *
 * @returns the unpacked file paths relative to `destDir`
 * @throws Error naming the archive when it is not a readable zip.
 */
export async function unzipFile(zipPath: string, destDir: string): Promise<string[]> {
  const root = resolve(destDir);
  await Deno.mkdir(root, { recursive: true });
  const done: string[] = [];
  const open: { path: string; file: Deno.FsFile }[] = [];
  let failure: Error | null = null;
  const fail = (e: Error) => {
    failure ??= e;
  };
  const unzip = new Unzip((entry) => {
    if (failure) return;
    const name = entry.name.replaceAll("\\", "/");
    if (name.endsWith("/")) {
      entry.start(); // directories carry no data
      return;
    }
    const target = normalize(join(root, name));
    if (!target.startsWith(root + sep)) {
      fail(
        new Error(`Cannot unpack '${zipPath}': entry '${entry.name}' would be written outside '${destDir}'`),
      );
      return;
    }
    Deno.mkdirSync(dirname(target), { recursive: true });
    const file = Deno.openSync(target + ".part", { write: true, create: true, truncate: true });
    const rec = { path: target, file };
    open.push(rec);
    entry.ondata = (err, chunk, final) => {
      if (err) {
        return fail(
          new Error(`Cannot unpack '${zipPath}': entry '${entry.name}' is damaged (${err.message})`),
        );
      }
      let p = 0;
      while (p < chunk.length) p += file.writeSync(chunk.subarray(p));
      if (final) {
        file.close();
        open.splice(open.indexOf(rec), 1);
        Deno.renameSync(target + ".part", target);
        done.push(name);
      }
    };
    try {
      entry.start();
    } catch (e) {
      fail(
        new Error(
          `Cannot unpack '${zipPath}': entry '${entry.name}' uses unsupported compression ${entry.compression} (${
            (e as Error).message
          })`,
        ),
      );
    }
  });
  unzip.register(UnzipInflate);
  unzip.register(UnzipPassThrough);
  let sawData = false;
  try {
    using f = await Deno.open(zipPath);
    const buf = new Uint8Array(1 << 20);
    while (!failure) {
      const n = await f.read(buf);
      if (n === null) {
        unzip.push(new Uint8Array(0), true);
        break;
      }
      sawData = true;
      unzip.push(buf.slice(0, n), false);
    }
  } catch (e) {
    fail(new Error(`Cannot unpack '${zipPath}': not a readable zip archive (${(e as Error).message})`));
  }
  if (!failure && open.length > 0) {
    fail(new Error(`Cannot unpack '${zipPath}': the archive ends inside entry '${open[0].path}'`));
  }
  if (!failure && (!sawData || done.length === 0)) {
    fail(new Error(`Cannot unpack '${zipPath}': expected a zip archive with files, found none`));
  }
  if (failure) {
    for (const o of open) {
      try {
        o.file.close();
      } catch { /* already closed */ }
      await Deno.remove(o.path + ".part").catch(() => {});
    }
    throw failure;
  }
  return done;
}

/** Formats a progress report as one line: a bar, bytes, rate, ETA and files. */
export function formatProgress(p: DownloadProgress, width = 24): string {
  const frac = p.bytesTotal ? Math.min(1, p.bytesDone / p.bytesTotal) : null;
  const bar = frac === null ? "?".repeat(width) : "#".repeat(Math.round(frac * width)).padEnd(width, ".");
  const total = p.bytesTotal === null ? "?" : formatBytes(p.bytesTotal);
  const eta = p.etaSeconds === null ? "--:--" : formatDuration(p.etaSeconds);
  return `[${bar}] ${formatBytes(p.bytesDone)} / ${total}  ${
    formatBytes(p.rate)
  }/s  ETA ${eta}  (${p.filesDone}/${p.filesTotal} files)`;
}

/** Formats a byte count with binary units, e.g. `1.5 MiB` (the engine's formatter). */
export { formatBytes };

/** Formats seconds as `m:ss` or `h:mm:ss`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(r).padStart(2, "0")}`;
}

class Progress {
  #done: number[];
  #total: (number | null)[];
  #finished = 0;
  #active = new Set<number>();
  #samples: [number, number][] = [];
  #transferred = 0;
  #last = 0;
  #items: readonly DownloadItem[];
  #options: DownloadOptions;

  constructor(items: readonly DownloadItem[], options: DownloadOptions) {
    this.#items = items;
    this.#options = options;
    this.#done = items.map(() => 0);
    this.#total = items.map((it) => it.size ?? null);
  }
  setTotal(i: number, total: number | null) {
    if (total !== null) this.#total[i] = total;
  }
  setDone(i: number, bytes: number) {
    const delta = bytes - this.#done[i];
    if (delta > 0) this.#transferred += delta;
    this.#done[i] = bytes;
    this.report(false);
  }
  activate(i: number, on: boolean) {
    if (on) this.#active.add(i);
    else this.#active.delete(i);
  }
  finish(_i: number) {
    this.#finished++;
    this.report(false);
  }
  report(force: boolean) {
    const cb = this.#options.onProgress;
    if (!cb) return;
    const now = performance.now();
    if (!force && now - this.#last < (this.#options.progressIntervalMs ?? 250)) return;
    this.#last = now;
    this.#samples.push([now, this.#transferred]);
    while (this.#samples.length > 2 && now - this.#samples[0][0] > 5000) this.#samples.shift();
    const [t0, b0] = this.#samples[0];
    const rate = now > t0 ? ((this.#transferred - b0) / (now - t0)) * 1000 : 0;
    const bytesDone = this.#done.reduce((a, b) => a + b, 0);
    const bytesTotal = this.#total.every((t) => t !== null)
      ? this.#total.reduce((a, b) => a! + b!, 0)!
      : null;
    const etaSeconds = bytesTotal !== null && rate > 0 ? Math.max(0, bytesTotal - bytesDone) / rate : null;
    cb({
      bytesDone,
      bytesTotal,
      filesDone: this.#finished,
      filesTotal: this.#items.length,
      rate,
      etaSeconds,
      active: [...this.#active].map((i) => this.#items[i].url),
    });
  }
}

function describe(e: unknown, ctrl: AbortController): string {
  if (ctrl.signal.aborted && ctrl.signal.reason instanceof Error) return ctrl.signal.reason.message;
  return e instanceof Error ? e.message : String(e);
}

function jitter(index: number, attempt: number): number {
  // Deterministic jitter in [0, 1) so that parallel retries spread out without Math.random.
  let x = (index * 2654435761 + attempt * 40503) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x2c1b3c6d) >>> 0;
  return (x >>> 8) / 16777216;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((res, rej) => {
    if (signal?.aborted) return rej(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      res();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      rej(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
