/**
 * The `process` executor (the default): each attempt in a child Deno process on this machine (`../child.ts`)
 * that imports the pipeline module, finds the task by name and runs it, speaking the line protocol of
 * `../job.ts` on stdout. The child exits as soon as its stdin closes, so a runner killed by SIGKILL takes its
 * task processes with it. Tasks declared `isolation: "inline"` run in the runner.
 * @module
 */
import { fileURLToPath } from "node:url";
import type { Attempt, Executor } from "../executor.ts";
import { type ExecuteResult, type ProtocolOutcome, readLines, readProtocolLine } from "../job.ts";
import { InlineExecutor } from "./inline.ts";

const CHILD = new URL("../child.ts", import.meta.url).href;

/** Runs attempts as child processes. */
export class ProcessExecutor implements Executor {
  readonly name = "process";
  readonly local = true;
  readonly #inline = new InlineExecutor();
  readonly #children = new Set<Deno.ChildProcess>();

  check(): Promise<void> {
    return Promise.resolve();
  }

  async execute(attempt: Attempt, signal: AbortSignal): Promise<ExecuteResult> {
    const { task, job, events } = attempt;
    if (task.isolation === "inline") return await this.#inline.execute(attempt, signal);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", fileURLToPath(CHILD)],
      cwd: job.root,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    }).spawn();
    this.#children.add(child);
    const writer = child.stdin.getWriter();
    const enc = new TextEncoder();
    await writer.write(enc.encode(JSON.stringify(job) + "\n"));
    let outcome: ProtocolOutcome | undefined;

    const onAbort = async () => {
      try {
        await writer.write(enc.encode(JSON.stringify({ t: "abort" }) + "\n"));
      } catch { /* child already gone */ }
      const t1 = setTimeout(() => kill(child, "SIGTERM"), 5000);
      const t2 = setTimeout(() => kill(child, "SIGKILL"), 10000);
      child.status.finally(() => {
        clearTimeout(t1);
        clearTimeout(t2);
      });
    };
    signal.addEventListener("abort", onAbort, { once: true });
    const stdout = readLines(child.stdout, (line) => {
      outcome = readProtocolLine(line, events, "stdout") ?? outcome;
    });
    const stderr = readLines(child.stderr, (line) => events.log("stderr", line));
    const status = await child.status;
    this.#children.delete(child);
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

  /** Children stop through their attempts' abort signals; this kills any still alive. */
  async cancelAll(): Promise<void> {
    for (const child of this.#children) kill(child, "SIGKILL");
    await Promise.allSettled([...this.#children].map((c) => c.status));
  }
}

function kill(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch { /* gone */ }
}
