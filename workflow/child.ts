/**
 * Entry point of a task's process. Runs one job and reports on stdout in the protocol of `job.ts`.
 *
 * - Without arguments (the `process` executor): reads the job as one line on stdin; an `abort` line cancels
 *   the task, and the end of stdin (the runner died) ends the process.
 * - `--job FILE` (the `slurm` executor): reads the job from FILE; SIGTERM (Slurm's cancel or time limit)
 *   cancels the task, which saves its checkpoint.
 * @module
 */
import { findPipeline, type Job, makeContext, PROTOCOL_MARK, runJob } from "./job.ts";

const enc = new TextEncoder();
const send = (msg: unknown) => Deno.stdout.writeSync(enc.encode(PROTOCOL_MARK + JSON.stringify(msg) + "\n"));

const controller = new AbortController();
const reader = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
let buf = "";
async function nextLine(): Promise<string | undefined> {
  while (true) {
    const nl = buf.indexOf("\n");
    if (nl >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      return line;
    }
    const { value, done } = await reader.read();
    if (done) return undefined;
    buf += value;
  }
}

const jobFile = Deno.args[0] === "--job" ? Deno.args[1] : undefined;
let job: Job;
if (jobFile) {
  job = JSON.parse(await Deno.readTextFile(jobFile)) as Job;
} else {
  const first = await nextLine();
  if (first === undefined) Deno.exit(2);
  job = JSON.parse(first) as Job;
  // Watch stdin: an abort message cancels the task; end of input means the runner is gone.
  (async () => {
    while (true) {
      const line = await nextLine();
      if (line === undefined) Deno.exit(130);
      if (JSON.parse(line).t === "abort") controller.abort(new Error("cancelled"));
    }
  })();
}
Deno.addSignalListener("SIGTERM", () => {
  controller.abort(new Error("cancelled"));
  setTimeout(() => Deno.exit(143), jobFile ? 20_000 : 2000);
});

/** The process's peak resident memory (VmHWM on Linux; else the current RSS). */
function peakRss(): number {
  try {
    const kb = /VmHWM:\s*(\d+)\s*kB/.exec(Deno.readTextFileSync("/proc/self/status"))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch { /* not Linux */ }
  return Deno.memoryUsage().rss;
}

try {
  const pipeline = findPipeline(await import(job.pipeline), job.pipeline);
  const task = pipeline.tasks.find((t) => t.name === job.task);
  if (!task) throw new Error(`Pipeline ${job.pipeline} has no task '${job.task}'`);
  const ctx = makeContext(job, {
    log: (level, message) => send({ t: "log", level, message }),
    progress: (progress) => send({ t: "progress", progress }),
    facts: (facts) => send({ t: "facts", facts }),
  }, controller.signal);
  await runJob(task, ctx, job);
  send({ t: "done", peakRssBytes: peakRss() });
  Deno.exit(0);
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  send({ t: "log", level: "error", message: err.stack ?? err.message });
  send({ t: "error", message: err.message });
  Deno.exit(1);
}
