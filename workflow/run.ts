/**
 * A run of a pipeline for a profile: the cache lock, the plan (`status`), the scheduler ({@link Scheduler}:
 * deciding and running the tasks through the executor) and, when every task is done, the results export.
 * @module
 */
import { join } from "node:path";
import { CodeDigester } from "./code_digest.ts";
import { createExecutor } from "./executor.ts";
import { readJson } from "./fsutil.ts";
import { acquireLock } from "./lock.ts";
import type { ParamValue } from "./params.ts";
import type { Pipeline } from "./pipeline.ts";
import { Planner, type RunRecord, type TaskPlan } from "./plan.ts";
import type { Reporter } from "./progress.ts";
import { exportResults } from "./results.ts";
import { Scheduler } from "./scheduler.ts";
import { Store } from "./store.ts";
import type { AnyTask, RunSettings } from "./task.ts";

export { summaryTable } from "./results.ts";
export { threadShare } from "./scheduler.ts";

/** Options of {@link runPipeline} and {@link planPipeline}. */
export interface RunOptions {
  pipeline: Pipeline;
  profile: string;
  /** Param overrides from the command line, per task. */
  params?: Record<string, Record<string, ParamValue>>;
  /** Run only these tasks; their inputs must already be in the cache. */
  only?: string[];
  /** Run these tasks and everything they depend on, nothing after. */
  until?: string[];
  /** Rerun these tasks even if cached (`all` for every task). */
  force?: string[] | "all";
  settings: RunSettings;
  /** Wait for another run holding the cache (default), or fail at once. */
  wait?: boolean;
  cacheDir: string;
  resultsDir: string;
  reporter: Reporter;
  /** Aborting cancels running tasks. */
  signal?: AbortSignal;
}

/** One task's outcome. */
export interface TaskOutcome {
  task: string;
  key: string | null;
  state: "cached" | "ran" | "failed" | "cancelled" | "not run" | "skipped";
  durationMs: number;
  /** Peak resident memory of the task's process when it ran (null: not run here, or inline). */
  peakRssBytes: number | null;
  reasons: string[];
  error?: string;
  log?: string;
}

/** What a run did. */
export interface RunSummary {
  ok: boolean;
  profile: string;
  tasks: TaskOutcome[];
  durationMs: number;
  /** `results/<profile>/`, when the whole pipeline completed. */
  results?: string;
}

/** Thrown when a task fails; names it and its log. */
export class TaskFailure extends Error {
  constructor(readonly summary: RunSummary) {
    const failed = summary.tasks.filter((t) => t.state === "failed");
    super(
      failed.map((t) => `Task '${t.task}' failed: ${t.error}\n  log: ${t.log}`).join("\n") ||
        "Run cancelled",
    );
  }
}

function selectScope(planner: Planner, only?: string[], until?: string[]): Set<string> {
  for (const n of [...(only ?? []), ...(until ?? [])]) planner.task(n);
  if (only?.length) return new Set(only);
  if (until?.length) {
    const scope = new Set<string>();
    const add = (t: AnyTask) => {
      if (scope.has(t.name)) return;
      scope.add(t.name);
      for (const [, up] of planner.inputs(t)) add(up);
    };
    for (const n of until) add(planner.task(n));
    return scope;
  }
  return new Set(planner.tasks.map((t) => t.name));
}

function checkForce(planner: Planner, force: string[] | "all" | undefined): Set<string> | "all" {
  if (force === "all" || force?.includes("all")) return "all";
  for (const n of force ?? []) planner.task(n);
  return new Set(force ?? []);
}

async function openPlanner(
  opts: RunOptions,
  store: Store,
): Promise<{ planner: Planner; digester: CodeDigester }> {
  const digester = await CodeDigester.load(
    opts.pipeline.module,
    opts.pipeline.root,
    join(opts.cacheDir, "code-graph.json"),
  );
  const record = await readJson<RunRecord>(store.runRecordPath(opts.profile));
  const planner = new Planner({
    pipeline: opts.pipeline,
    profile: opts.profile,
    store,
    digester,
    record,
    cliParams: opts.params,
  });
  return { planner, digester };
}

/** The plan (as `status` shows it) without running anything or taking the lock. */
export async function planPipeline(opts: RunOptions): Promise<TaskPlan[]> {
  const store = new Store(opts.cacheDir);
  const { planner, digester } = await openPlanner(opts, store);
  const plans = await planner.plan(checkForce(planner, opts.force));
  await digester.save().catch(() => {});
  return plans;
}

/** Runs the pipeline for a profile. Resolves with a summary; throws {@link TaskFailure} if a task failed. */
export async function runPipeline(opts: RunOptions): Promise<RunSummary> {
  const t0 = Date.now();
  const { reporter } = opts;
  const store = new Store(opts.cacheDir);
  const lock = await acquireLock(opts.cacheDir, `reproduce --profile ${opts.profile}`, {
    wait: opts.wait ?? true,
    onWait: (m) => reporter.info(m),
  });
  try {
    await store.cleanTmp();
    const { planner, digester } = await openPlanner(opts, store);
    await digester.save();
    const scope = selectScope(planner, opts.only, opts.until);
    const force = checkForce(planner, opts.force);
    const tasks = planner.tasks;
    // Code digests are taken now, when this process has loaded every task's declaration (its params).
    await Promise.all(tasks.map((t) => planner.code(t)));
    const record = planner.record;
    let recordWrite = Promise.resolve();
    const saveRecord = () => {
      record.updated = new Date().toISOString();
      recordWrite = recordWrite.then(() => store.writeJson(store.runRecordPath(opts.profile), record));
      return recordWrite;
    };
    const executor = createExecutor(opts.settings, { cacheDir: opts.cacheDir });
    const scheduler = new Scheduler({ opts, store, planner, executor, scope, force, saveRecord });
    const outcomes = await scheduler.run();
    const ok = outcomes.every((o) => o.state === "cached" || o.state === "ran" || o.state === "skipped");
    const summary: RunSummary = { ok, profile: opts.profile, tasks: outcomes, durationMs: Date.now() - t0 };
    if (!ok) throw new TaskFailure(summary);
    if (outcomes.every((o) => o.state === "cached" || o.state === "ran")) {
      summary.results = await exportResults(opts, store, planner, outcomes, t0);
    }
    summary.durationMs = Date.now() - t0;
    return summary;
  } finally {
    lock.release();
  }
}
