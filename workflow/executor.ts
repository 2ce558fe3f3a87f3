/**
 * The executor seam: how a task attempt runs once the scheduler (`run.ts`) has decided it must. An executor
 * runs one attempt at a time per call, as many at once as the scheduler asks, and cancels what it started.
 *
 * - `process` (default): each task in its own Deno process on this machine; `inline` tasks in the runner.
 * - `inline`: every task inside the runner process (debugging; no isolation, no parallel CPU work).
 * - `slurm`: each task that runs becomes one `sbatch` job on a cluster sharing the cache folder.
 *
 * An executor is one file in `executors/` and one entry in {@link EXECUTORS}. The engine still knows nothing
 * of what tasks compute.
 * @module
 */
import type { ExecuteResult, Job, JobEvents } from "./job.ts";
import type { Resources } from "./resources.ts";
import type { AnyTask, RunSettings } from "./task.ts";
import { InlineExecutor } from "./executors/inline.ts";
import { ProcessExecutor } from "./executors/process.ts";
import { SlurmExecutor } from "./executors/slurm.ts";

/** One attempt of a task, as the scheduler hands it to an executor. */
export interface Attempt {
  task: AnyTask;
  job: Job;
  /** What the task asked for (defaults, declaration, profile override). */
  resources: Resources;
  events: JobEvents;
}

/** Runs task attempts somewhere. */
export interface Executor {
  /** Its name, as given to `--executor`. */
  readonly name: ExecutorName;
  /**
   * True when attempts compute on this machine's cores: the scheduler then shares the free cores out as
   * threads. False when each attempt gets its own machine share (its `resources.cpus`).
   */
  readonly local: boolean;
  /**
   * Checks, before anything is submitted or run, that every attempt of this run can be placed (e.g. that a
   * Slurm partition exists); throws one clear error otherwise.
   */
  check(requests: { task: AnyTask; resources: Resources }[]): Promise<void>;
  /** Runs one attempt. Resolves when `run` succeeded; rejects with the task's error. Aborting cancels it. */
  execute(attempt: Attempt, signal: AbortSignal): Promise<ExecuteResult>;
  /** Cancels every attempt still running; resolves when they are gone. */
  cancelAll(): Promise<void>;
}

/** Executor names. */
export type ExecutorName = "process" | "inline" | "slurm";

/** Every executor, by name: the one place to add one. */
export const EXECUTORS: Readonly<
  Record<ExecutorName, (settings: RunSettings, where: { cacheDir: string }) => Executor>
> = Object.freeze({
  process: () => new ProcessExecutor(),
  inline: () => new InlineExecutor(),
  slurm: (settings, where) => new SlurmExecutor(settings.slurm ?? {}, where.cacheDir),
});

/** The executor names a user may pass. */
export const EXECUTOR_NAMES = Object.keys(EXECUTORS) as ExecutorName[];

/** The executor `settings.executor` names (default `process`). */
export function createExecutor(settings: RunSettings, where: { cacheDir: string }): Executor {
  const name = (settings.executor ?? "process") as ExecutorName;
  const make = EXECUTORS[name];
  if (!make) throw new Error(`unknown executor '${name}': expected one of ${EXECUTOR_NAMES.join(", ")}`);
  return make(settings, where);
}
