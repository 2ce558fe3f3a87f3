/**
 * One task attempt as executors see it: the {@link Job} (everything the attempt needs, serialisable), the
 * events it reports, the context `run` receives, and the line protocol between a task's process and the
 * runner: lines on the process's stdout starting with U+001E followed by JSON (`log`, `progress`, `facts`,
 * `done`, `error`); anything else it prints is kept as log text.
 * @module
 */
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
  /** The shard this attempt computes (a sharded task's `run`). */
  shard?: string;
  /** Shard id → output folder: this attempt is a sharded task's `merge`. */
  shards?: Record<string, string>;
}

/** Where a task's log lines, progress and recorded facts go. */
export interface JobEvents {
  log(level: string, message: string): void;
  progress(progress: TaskProgress): void;
  /** Facts of the attempt ({@link TaskContext.record}). */
  facts(facts: Record<string, unknown>): void;
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
    ...(job.shard !== undefined ? { shard: job.shard } : {}),
    ...(job.shards ? { shards: Object.freeze({ ...job.shards }) } : {}),
    signal,
    record: (facts) => events.facts(JSON.parse(JSON.stringify(facts))),
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

/** What an attempt measured. */
export interface ExecuteResult {
  /** Peak resident memory of the task's process, bytes (null for inline tasks). */
  peakRssBytes: number | null;
  /** Where it ran, when not on this machine (e.g. `{ slurmJob: "42", node: "n7" }`); kept in the manifest. */
  placement?: Record<string, string>;
}

/** How a task process ended, as its protocol lines said (undefined: it said nothing final). */
export type ProtocolOutcome = { ok: true; peakRssBytes: number | null } | { ok: false; message: string };

/**
 * Reads one line of a task process's output: a protocol message goes to `events` (log, progress) or is
 * returned as the outcome (done, error); any other line is logged as `stream` text.
 */
export function readProtocolLine(
  line: string,
  events: JobEvents,
  stream: string,
): ProtocolOutcome | undefined {
  if (!line.startsWith(PROTOCOL_MARK)) {
    events.log(stream, line);
    return undefined;
  }
  let msg;
  try {
    msg = JSON.parse(line.slice(1));
  } catch {
    events.log(stream, line);
    return undefined;
  }
  if (msg.t === "log") events.log(msg.level, msg.message);
  else if (msg.t === "progress") events.progress(msg.progress);
  else if (msg.t === "facts") events.facts(msg.facts);
  else if (msg.t === "done") return { ok: true, peakRssBytes: msg.peakRssBytes ?? null };
  else if (msg.t === "error") return { ok: false, message: msg.message };
  return undefined;
}

/** Splits a byte stream into lines (the last one without its newline, if any), calling `onLine` for each. */
export async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
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
}

/** Runs what the job asks of its task: `merge` for a job with shards, else `run`. */
// deno-lint-ignore no-explicit-any
export async function runJob(task: AnyTask, ctx: TaskContext<any, string>, job: Job): Promise<void> {
  if (job.shards) {
    if (!task.merge) throw new Error(`Task '${task.name}' has no merge for its shards`);
    await task.merge(ctx);
  } else await task.run(ctx);
}
