/**
 * Running one task attempt: inline in this process, or in a child Deno process (the default) that imports the
 * pipeline module, finds the task by name and runs it. The child speaks a line protocol on stdout (lines
 * starting with U+001E followed by JSON); anything else it prints is kept as log text. The child exits as soon
 * as its stdin closes, so a runner killed by SIGKILL takes its task processes with it.
 * @module
 */
import { fileURLToPath } from "node:url";
import type { Pipeline } from "./pipeline.ts";
import type { TaskProgress } from "./progress.ts";
import type { AnyTask, RunSettings, TaskContext } from "./task.ts";

/** Everything a task attempt needs, serialisable for the child process. */
export interface Job {
  /** file: URL of the pipeline module. */
  pipeline: string;
  task: string;
  key: string;
  params: Record<string, unknown>;
  inputs: Record<string, string>;
  out: string;
  checkpoint: string;
  root: string;
  settings: RunSettings;
  /** CPU threads the attempt may compute on ({@link TaskContext.threads}). */
  threads: number;
}

/** Where a task's log lines and progress go. */
export interface JobEvents {
  log(level: string, message: string): void;
  progress(progress: TaskProgress): void;
}

/** Marks protocol lines on the child's stdout. */
export const PROTOCOL_MARK = "\u001e";

/** Finds the pipeline exported by a module (`default`, `pipeline`, or any export that looks like one). */
export function findPipeline(mod: Record<string, unknown>, url: string): Pipeline {
  const candidates = [mod.default, mod.pipeline, ...Object.values(mod)];
  for (const c of candidates) {
    if (c && typeof c === "object" && Array.isArray((c as Pipeline).tasks) && (c as Pipeline).profiles) {
      return c as Pipeline;
    }
  }
  throw new Error(
    `Module ${url} exports no pipeline: expected \`export const pipeline = definePipeline(...)\``,
  );
}

/** Builds the context `run` receives, wiring log and progress to `events`. */
// deno-lint-ignore no-explicit-any
export function makeContext(job: Job, events: JobEvents, signal: AbortSignal): TaskContext<any, string> {
  let progress: TaskProgress = { done: 0, total: 0, unit: "items", note: "" };
  let lastSent = 0;
  const send = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastSent < 200) return;
    lastSent = now;
    events.progress({ ...progress });
  };
  return {
    name: job.task,
    key: job.key,
    params: Object.freeze({ ...job.params }),
    inputs: Object.freeze({ ...job.inputs }),
    out: job.out,
    checkpoint: job.checkpoint,
    root: job.root,
    settings: Object.freeze({ ...job.settings }),
    threads: job.threads,
    signal,
    log: {
      debug: (m) => events.log("debug", m),
      info: (m) => events.log("info", m),
      warn: (m) => events.log("warn", m),
    },
    progress: {
      start(total, unit = "items") {
        progress = { done: 0, total, unit, note: progress.note };
        send(true);
      },
      tick(n = 1) {
        progress.done += n;
        send(progress.total > 0 && progress.done >= progress.total);
      },
      set(done) {
        progress.done = done;
        send(progress.total > 0 && done >= progress.total);
      },
      note(text) {
        progress.note = text;
        send(false);
      },
    },
  };
}

const CHILD = new URL("./child.ts", import.meta.url).href;

/** What an attempt measured. */
export interface ExecuteResult {
  /** Peak resident memory of the task's process, bytes (null for inline tasks). */
  peakRssBytes: number | null;
}

/**
 * Runs one attempt of `task`. Resolves when `run` returns; rejects with the task's error otherwise.
 * Aborting `signal` asks the task to stop (its `ctx.signal`), then terminates a child process that does not.
 */
export async function execute(
  task: AnyTask,
  job: Job,
  events: JobEvents,
  signal: AbortSignal,
): Promise<ExecuteResult> {
  if (task.isolation === "inline") {
    await task.run(makeContext(job, events, signal));
    return { peakRssBytes: null };
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", fileURLToPath(CHILD)],
    cwd: job.root,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  }).spawn();
  const writer = child.stdin.getWriter();
  const enc = new TextEncoder();
  await writer.write(enc.encode(JSON.stringify(job) + "\n"));
  let outcome: { ok: true; peakRssBytes: number | null } | { ok: false; message: string } | undefined;

  const onAbort = async () => {
    try {
      await writer.write(enc.encode(JSON.stringify({ t: "abort" }) + "\n"));
    } catch { /* child already gone */ }
    const t1 = setTimeout(() => {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
    }, 5000);
    const t2 = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
    }, 10000);
    child.status.finally(() => {
      clearTimeout(t1);
      clearTimeout(t2);
    });
  };
  signal.addEventListener("abort", onAbort, { once: true });

  const readLines = async (stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) => {
    let buf = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    }
    if (buf) onLine(buf);
  };
  const stdout = readLines(child.stdout, (line) => {
    if (!line.startsWith(PROTOCOL_MARK)) {
      events.log("stdout", line);
      return;
    }
    const msg = JSON.parse(line.slice(1));
    if (msg.t === "log") events.log(msg.level, msg.message);
    else if (msg.t === "progress") events.progress(msg.progress);
    else if (msg.t === "done") outcome = { ok: true, peakRssBytes: msg.peakRssBytes ?? null };
    else if (msg.t === "error") outcome = { ok: false, message: msg.message };
  });
  const stderr = readLines(child.stderr, (line) => events.log("stderr", line));
  const status = await child.status;
  await Promise.all([stdout, stderr]);
  signal.removeEventListener("abort", onAbort);
  try {
    await writer.close();
  } catch { /* already closed */ }
  if (outcome?.ok && status.success) return { peakRssBytes: outcome.peakRssBytes };
  if (signal.aborted) throw new Error("cancelled");
  if (outcome && !outcome.ok) throw new Error(outcome.message);
  throw new Error(
    `task process exited with ${
      status.signal ? `signal ${status.signal}` : `code ${status.code}`
    } without finishing`,
  );
}
