/**
 * The `inline` executor: every task runs inside the runner process (no isolation; for debugging and for
 * tasks declared `isolation: "inline"` under the other executors).
 * @module
 */
import type { Attempt, Executor } from "../executor.ts";
import { type ExecuteResult, makeContext, runJob } from "../job.ts";

/** Runs attempts in this process. */
export class InlineExecutor implements Executor {
  readonly name = "inline";
  readonly local = true;

  check(): Promise<void> {
    return Promise.resolve();
  }

  async execute(attempt: Attempt, signal: AbortSignal): Promise<ExecuteResult> {
    await runJob(attempt.task, makeContext(attempt.job, attempt.events, signal), attempt.job);
    return { peakRssBytes: null };
  }

  /** Inline attempts stop through their abort signal; nothing else to cancel. */
  cancelAll(): Promise<void> {
    return Promise.resolve();
  }
}
