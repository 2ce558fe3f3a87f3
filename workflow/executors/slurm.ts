/**
 * The `slurm` executor: each attempt becomes one `sbatch` job running the task's child entry point
 * (`../child.ts --job FILE`) on a node. The cache folder must be on a filesystem the nodes share: the job
 * reads its inputs from the store, writes its output under `cache/tmp` and its checkpoints under
 * `cache/checkpoints`, and the runner commits the output when the job has finished, as it does locally. Keys
 * never see any of this, so a cache filled on the cluster is a cache hit locally and the other way round.
 *
 * The runner polls the queue (`squeue`; a job that left it is looked up with `scontrol show job`: a minimal
 * cluster has no accounting database, so `sacct` is never used), streams the task's progress and log from
 * the job's output file, cancels its jobs (`scancel`) when the run is interrupted or fails, and reports a job
 * that Slurm ended (time limit, memory, node failure, cancelled) with Slurm's state and reason and the path
 * of its log. Before submitting anything, {@link SlurmExecutor.check} asks `sbatch --test-only` whether each
 * distinct request can run (a partition that does not exist is one clear error). Tasks declared
 * `isolation: "inline"` run in the runner.
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Attempt, Executor } from "../executor.ts";
import { type ExecuteResult, type JobEvents, type ProtocolOutcome, readProtocolLine } from "../job.ts";
import type { Resources } from "../resources.ts";
import type { AnyTask } from "../task.ts";
import { InlineExecutor } from "./inline.ts";
import type { SlurmOptions } from "./slurm_options.ts";

const CHILD = fileURLToPath(new URL("../child.ts", import.meta.url));

/** A command's outcome. */
interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(cmd: string, args: string[]): Promise<Output> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout).trim(), stderr: dec.decode(out.stderr).trim() };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(
        `${cmd} not found: the slurm executor needs Slurm's commands (sbatch, squeue, ...) on PATH`,
      );
    }
    throw e;
  }
}

/** The `sbatch` flags of a request (without the script). */
export function sbatchFlags(task: AnyTask, resources: Resources, options: SlurmOptions): string[] {
  const partition = resources.gpus > 0 ? options.gpuPartition ?? options.partition : options.partition;
  return [
    `--job-name=morphogan-${task.name}`,
    `--cpus-per-task=${resources.cpus}`,
    `--mem=${Math.max(1, Math.ceil(resources.memGiB * 1024))}M`,
    `--time=${resources.minutes}`,
    ...(resources.gpus > 0 ? [`--gres=gpu:${resources.gpus}`] : []),
    ...(partition ? [`--partition=${partition}`] : []),
    ...(options.account ? [`--account=${options.account}`] : []),
    ...(options.sbatchArgs ?? []),
  ];
}

/** `scontrol show job -o` as a map (JobState, Reason, ExitCode, NodeList, …). */
export function parseScontrol(line: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of line.matchAll(/(\w+)=(\S*)/g)) if (!out.has(m[1])) out.set(m[1], m[2]);
  return out;
}

/** Reads what a growing file gained since the last call, as whole lines. */
class Tail {
  #offset = 0;
  #partial = "";
  /** One decoder for the whole file, so that a character split across two reads decodes whole. */
  readonly #decoder = new TextDecoder();
  constructor(readonly path: string) {}

  async lines(final = false): Promise<string[]> {
    let bytes: Uint8Array;
    try {
      const f = await Deno.open(this.path, { read: true });
      await f.seek(this.#offset, Deno.SeekMode.Start);
      bytes = new Uint8Array(await new Response(f.readable).arrayBuffer()); // reads to the end, closes f
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return [];
      throw e;
    }
    this.#offset += bytes.length;
    const text = this.#partial + this.#decoder.decode(bytes, { stream: !final });
    const parts = text.split("\n");
    this.#partial = final ? "" : parts.pop()!;
    return parts.filter((l, i) => l !== "" || i < parts.length - 1);
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });

/** Runs attempts as Slurm jobs. */
export class SlurmExecutor implements Executor {
  readonly name = "slurm";
  readonly local = false;
  readonly #inline = new InlineExecutor();
  /** Jobs submitted and not yet seen leaving the queue. */
  readonly #active = new Set<string>();

  constructor(readonly options: SlurmOptions, readonly cacheDir: string) {
    // A runner that exits at once (a second Ctrl-C) still cancels its jobs.
    globalThis.addEventListener("unload", () => {
      if (!this.#active.size) return;
      try {
        new Deno.Command("scancel", { args: [...this.#active], stdout: "null", stderr: "null" }).outputSync();
      } catch { /* no scancel: nothing was submitted */ }
    });
  }

  get #pollMs(): number {
    return (this.options.pollSeconds ?? 1) * 1000;
  }

  /** Asks `sbatch --test-only` about each distinct request; the first refusal is the error. */
  async check(requests: { task: AnyTask; resources: Resources }[]): Promise<void> {
    const seen = new Map<string, string>();
    for (const { task, resources } of requests) {
      if (task.isolation === "inline") continue;
      const flags = sbatchFlags(task, resources, this.options).filter((f) => !f.startsWith("--job-name"));
      const id = flags.join(" ");
      if (seen.has(id)) continue;
      seen.set(id, task.name);
      const out = await run("sbatch", ["--test-only", ...flags, "--wrap", "true"]);
      if (out.code !== 0) {
        const why = (out.stderr || out.stdout).replace(/^sbatch: error: /gm, "").split("\n")[0];
        throw new Error(
          `Slurm cannot run task '${task.name}' (${flags.join(" ")}): ${why}; nothing was submitted`,
        );
      }
    }
  }

  async execute(attempt: Attempt, signal: AbortSignal): Promise<ExecuteResult> {
    const { task, job, resources, events } = attempt;
    if (task.isolation === "inline") return await this.#inline.execute(attempt, signal);
    const dir = join(this.cacheDir, "slurm");
    await Deno.mkdir(dir, { recursive: true });
    const stem = `${task.name}-${job.key.slice(0, 12)}-${crypto.randomUUID().slice(0, 8)}`;
    const jobFile = join(dir, `${stem}.job.json`), script = join(dir, `${stem}.sh`);
    const log = join(dir, `${stem}.log`); // kept when the job fails
    await Deno.writeTextFile(jobFile, JSON.stringify(job));
    await Deno.writeTextFile(
      script,
      [
        "#!/bin/bash",
        "export DENO_NO_UPDATE_CHECK=1 NO_COLOR=1",
        `exec ${q(Deno.execPath())} run -A --quiet ${q(CHILD)} --job ${q(jobFile)}`,
        "",
      ].join("\n"),
    );
    if (signal.aborted) throw new Error("cancelled");
    const submitted = await run("sbatch", [
      "--parsable",
      `--output=${log}`,
      `--chdir=${job.root}`,
      ...sbatchFlags(task, resources, this.options),
      script,
    ]);
    if (submitted.code !== 0) {
      throw new Error(`sbatch refused task '${task.name}': ${submitted.stderr || submitted.stdout}`);
    }
    const id = submitted.stdout.split(";")[0].trim();
    this.#active.add(id);
    events.log("info", `submitted as Slurm job ${id}; log: ${log}`);
    try {
      return await this.#follow(id, log, events, signal, task.name);
    } finally {
      this.#active.delete(id);
      await Deno.remove(jobFile).catch(() => {});
      await Deno.remove(script).catch(() => {});
    }
  }

  /** Follows a job until it has left the queue: its log's protocol lines, then Slurm's verdict. */
  async #follow(
    id: string,
    log: string,
    events: JobEvents,
    signal: AbortSignal,
    taskName: string,
  ): Promise<ExecuteResult> {
    const tail = new Tail(log);
    let outcome: ProtocolOutcome | undefined;
    const drain = async (final = false) => {
      for (const line of await tail.lines(final)) {
        outcome = readProtocolLine(line, events, "stdout") ?? outcome;
      }
    };
    let cancelled = false;
    let unanswered = 0;
    while (true) {
      if (signal.aborted && !cancelled) {
        cancelled = true;
        await run("scancel", [id]);
      }
      await drain();
      const q = await run("squeue", ["-h", "-j", id, "-o", "%T"]);
      // Gone from the queue: squeue lists nothing, or says the id is no longer valid.
      if ((q.code === 0 && q.stdout === "") || /invalid job id/i.test(q.stderr)) break;
      if (q.code !== 0) {
        // The controller did not answer (restarting, overloaded): keep waiting, for a while.
        if (++unanswered === 1) events.log("warn", `squeue did not answer (${q.stderr}); waiting for Slurm`);
        if (unanswered * this.#pollMs > 10 * 60_000) {
          throw new Error(
            `Slurm has not answered squeue for 10 minutes about job ${id} (${taskName}): ${q.stderr}`,
          );
        }
      } else unanswered = 0;
      await sleep(this.#pollMs, cancelled ? undefined : signal);
    }
    await drain(true);
    const info = parseScontrol((await run("scontrol", ["show", "job", "-o", id])).stdout);
    const state = info.get("JobState") ?? "unknown (the job has left scontrol's memory)";
    const where = info.get("NodeList");
    if (outcome?.ok && (state === "COMPLETED" || !info.has("JobState"))) {
      await Deno.remove(log).catch(() => {}); // its lines are in the task's log (the manifest keeps it)
      return {
        peakRssBytes: outcome.peakRssBytes,
        placement: { slurmJob: id, ...(where ? { node: where } : {}) },
      };
    }
    if (cancelled) throw new Error("cancelled");
    const reason = info.get("Reason");
    const slurm = `Slurm job ${id} (${taskName}) ended ${state}${
      reason && reason !== "None" ? `, reason ${reason}` : ""
    }${info.has("ExitCode") ? `, exit code ${info.get("ExitCode")}` : ""}; its log: ${log}`;
    if (outcome && !outcome.ok) throw new Error(`${outcome.message} (${slurm})`);
    throw new Error(slurm);
  }

  /** Cancels every job still queued or running, and waits until the queue no longer lists them. */
  async cancelAll(): Promise<void> {
    const ids = [...this.#active];
    if (!ids.length) return;
    await run("scancel", ids);
    for (let i = 0; i < 120; i++) {
      const q = await run("squeue", ["-h", "-j", ids.join(","), "-o", "%i"]);
      if (q.code !== 0 || q.stdout === "") return;
      await sleep(500);
    }
  }
}

/** Single-quotes a path for bash. */
function q(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}
