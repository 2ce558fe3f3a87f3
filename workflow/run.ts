/**
 * The scheduler. Tasks are decided in pipeline order as soon as their inputs are done: a task whose key is in
 * the store is `cached`; otherwise it runs (up to `jobs` at once). Keys use the output digests of inputs, so a
 * task that reruns and reproduces identical output leaves its dependents cached (early cutoff). Before a task
 * runs, each input object is fully rehashed; a corrupt one is quarantined and recomputed first. The first
 * failure stops new work; running siblings finish and keep their artifacts.
 * @module
 */
import { join } from "node:path";
import { type AttemptContext, type AttemptPlan, type AttemptResult, runAttempt } from "./attempt.ts";
import { runSharded } from "./shards.ts";
import { CodeDigester } from "./code_digest.ts";
import { createExecutor } from "./executor.ts";
import { readJson } from "./fsutil.ts";
import { acquireLock } from "./lock.ts";
import type { ParamValue } from "./params.ts";
import type { Pipeline } from "./pipeline.ts";
import { Planner, type RunRecord, type TaskPlan } from "./plan.ts";
import type { Reporter } from "./progress.ts";
import { resolveResources, type Resources } from "./resources.ts";
import { exportResults } from "./results.ts";
import { type KeyComponents, keyOf, Store } from "./store.ts";
import type { AnyTask, RunSettings } from "./task.ts";

export { summaryTable } from "./results.ts";

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

/**
 * The threads of a `threaded` task that starts now: the free cores split evenly among the `sharing`
 * threaded tasks that can start now (itself included), at most `cap`, at least 1.
 */
export function threadShare(o: { free: number; sharing: number; cap: number }): number {
  return Math.max(1, Math.min(o.cap, Math.floor(o.free / Math.max(1, o.sharing))));
}

interface State {
  phase: "waiting" | "ready" | "running" | "done" | "failed" | "cancelled";
  key?: string;
  components?: KeyComponents;
  digest?: string;
  outcome?: TaskOutcome["state"];
  reasons: string[];
  durationMs: number;
  peakRssBytes?: number | null;
  /** Set when an input check found this task's object corrupt: the reason it reruns. */
  corrupt?: string;
  error?: string;
  log?: string;
}

/** Runs the pipeline for a profile. Resolves with a summary; throws {@link TaskFailure} if a task failed. */
export async function runPipeline(opts: RunOptions): Promise<RunSummary> {
  const t0 = Date.now();
  const { pipeline, reporter } = opts;
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

    // Tasks outside the scope are still decided when a task in scope needs them, but never run.
    const needed = new Set<string>();
    const need = (t: AnyTask) => {
      if (needed.has(t.name)) return;
      needed.add(t.name);
      for (const [, up] of planner.inputs(t)) need(up);
    };
    for (const t of tasks) if (scope.has(t.name)) need(t);

    const states = new Map<string, State>();
    for (const t of tasks) states.set(t.name, { phase: "waiting", reasons: [], durationMs: 0 });
    const fullyVerified = new Set<string>();
    const running = new Map<string, Promise<void>>();
    /** Cores held by each running task (its threads; 1 for a task that is not threaded). */
    const held = new Map<string, number>();
    const cores = navigator.hardwareConcurrency;
    /**
     * A threaded task's threads: its share of the free cores, split evenly with the other threaded tasks
     * ready to start beside it (as many as there are free slots), at most `settings.threads`.
     */
    const busyCores = () => [...held.values()].reduce((a, n) => a + n, 0);
    const threadsFor = (t: AnyTask): number => {
      if (!t.threaded || t.isolation === "inline") return 1;
      const waiting = tasks.filter((u) =>
        u !== t && u.threaded && u.isolation !== "inline" && needed.has(u.name) &&
        states.get(u.name)!.phase === "ready"
      ).length;
      return threadShare({
        free: cores - busyCores(),
        sharing: Math.min(1 + waiting, opts.settings.jobs - running.size),
        cap: opts.settings.threads ?? cores,
      });
    };
    const abort = new AbortController();
    opts.signal?.addEventListener("abort", () =>
      abort.abort(), { once: true });
    const executor = createExecutor(opts.settings, { cacheDir: opts.cacheDir });
    const profileResources = opts.pipeline.profiles[opts.profile].resources ?? {};
    const resourcesOf = (t: AnyTask): Resources => resolveResources(t.resources, profileResources[t.name]);
    // Everything that might run must be placeable before anything is submitted.
    await executor.check(
      tasks.filter((t) => needed.has(t.name)).map((t) => ({ task: t, resources: resourcesOf(t) })),
    );
    let stopping = false;
    let scopeError: Error | undefined;
    const forced = (t: AnyTask) => force === "all" || force.has(t.name);
    const forcedDone = new Set<string>();

    const decide = async (t: AnyTask, st: State) => {
      const digests: Record<string, string> = {};
      for (const [, up] of planner.inputs(t)) digests[up.name] = states.get(up.name)!.digest!;
      const components = await planner.components(t, digests);
      const key = keyOf(components);
      st.key = key;
      st.components = components;
      const isForced = forced(t) && !forcedDone.has(t.name) && scope.has(t.name);
      if (!isForced) {
        const verdict = await store.verify(key, "quick");
        if (verdict.ok) {
          Object.assign(st, { phase: "done", outcome: "cached", digest: verdict.manifest.outputDigest });
          if (scope.has(t.name)) {
            const shards = record.tasks[t.name]?.key === key ? record.tasks[t.name].shards : undefined;
            record.tasks[t.name] = {
              key,
              components,
              codeFiles: verdict.manifest.codeFiles,
              outputDigest: verdict.manifest.outputDigest,
              finished: verdict.manifest.finished,
              ...(shards ? { shards } : {}),
            };
          }
          return;
        }
        if (!scope.has(t.name)) {
          throw new Error(
            `Cannot run only ${
              [...scope].join(", ")
            }: its input '${t.name}' is not in the cache (${verdict.reason}); ` +
              `run with --until ${[...scope].join(",")} instead`,
          );
        }
        st.reasons = st.corrupt
          ? [st.corrupt]
          : await planner.reasons(t, components, [], key, verdict.reason);
      } else {
        st.reasons = ["forced"];
      }
      st.phase = "ready";
    };

    const launch = (t: AnyTask, st: State) => {
      st.phase = "running";
      const resources = resourcesOf(t);
      // A local executor shares this machine's free cores out as threads; elsewhere a threaded task gets the
      // CPUs it asked for.
      const threads = executor.local ? threadsFor(t) : (t.threaded ? resources.cpus : 1);
      // A sharded task runs its shards side by side: locally on the free cores, on a cluster as many as --jobs.
      const shardSlots = executor.local
        ? Math.max(1, Math.min(opts.settings.jobs, cores - busyCores()))
        : opts.settings.jobs;
      held.set(t.name, executor.local ? (t.shards ? shardSlots : threads) : 0);
      const isForced = st.reasons.includes("forced");
      if (forced(t)) forcedDone.add(t.name);
      const inputKeys: Record<string, string> = {};
      for (const [name, up] of planner.inputs(t)) inputKeys[name] = states.get(up.name)!.key!;
      const p = (async () => {
        const attempt = t.shards
          ? (a: AttemptPlan, c: AttemptContext) => runSharded(a, c, shardSlots)
          : runAttempt;
        const r: AttemptResult & { shards?: Record<string, string>; wallMs?: number } = await attempt({
          task: t,
          key: st.key!,
          components: st.components!,
          reasons: st.reasons,
          inputKeys,
          threads,
          resources,
          forced: isForced,
        }, {
          store,
          planner,
          executor,
          reporter,
          settings: opts.settings,
          profile: opts.profile,
          pipelineModule: pipeline.module,
          root: pipeline.root,
          signal: abort.signal,
        });
        if (r.ok) {
          Object.assign(st, {
            phase: "done",
            outcome: "ran",
            digest: r.manifest.outputDigest,
            durationMs: r.wallMs ?? r.manifest.durationMs,
            peakRssBytes: r.peakRssBytes,
          });
          record.tasks[t.name] = {
            key: st.key!,
            components: st.components!,
            codeFiles: r.manifest.codeFiles,
            outputDigest: r.manifest.outputDigest,
            finished: r.manifest.finished,
            ...(r.shards ? { shards: r.shards } : {}),
          };
          await saveRecord();
          reporter.taskFinished(t.name, "ran", st.durationMs);
        } else {
          const state = r.cancelled ? "cancelled" : "failed";
          Object.assign(st, {
            phase: state,
            outcome: state,
            durationMs: r.durationMs,
            error: r.error,
            log: r.log,
          });
          stopping = true;
          // The first failure stops new work. Locally, running siblings finish and keep their outputs; on a
          // cluster, the runner cancels its other jobs (a training resumes from its checkpoint next time).
          if (!r.cancelled && !executor.local) abort.abort();
          reporter.taskFinished(t.name, state, r.durationMs);
        }
      })();
      running.set(t.name, p);
      p.finally(() => {
        running.delete(t.name);
        held.delete(t.name);
      });
    };

    abort.signal.addEventListener("abort", () => (stopping = true));
    while (true) {
      let changed = false;
      if (!stopping) {
        for (const t of tasks) {
          const st = states.get(t.name)!;
          if (!needed.has(t.name)) continue;
          const ups = planner.inputs(t).map(([, up]) => states.get(up.name)!);
          if (st.phase === "waiting" && ups.every((u) => u.phase === "done")) {
            try {
              await decide(t, st);
            } catch (e) {
              scopeError = e as Error;
              stopping = true;
              break;
            }
            changed = true;
          }
        }
        // Then start what is ready (after deciding every task, so that threaded tasks that become ready
        // together share the cores).
        for (const t of tasks) {
          const st = states.get(t.name)!;
          if (!needed.has(t.name)) continue;
          if (st.phase === "ready" && running.size < opts.settings.jobs && !stopping) {
            // Rehash every input before use; a corrupt one is quarantined and recomputed first.
            let corrupt = false;
            for (const [, up] of planner.inputs(t)) {
              const us = states.get(up.name)!;
              if (fullyVerified.has(us.key!)) continue;
              const verdict = await store.verify(us.key!, "full");
              if (verdict.ok) {
                fullyVerified.add(us.key!);
                continue;
              }
              const moved = await store.quarantine(us.key!);
              reporter.warn(
                `${up.name}: cached object ${
                  us.key!.slice(0, 12)
                } is ${verdict.reason}; moved to ${moved}, recomputing`,
              );
              Object.assign(us, {
                phase: "waiting",
                outcome: undefined,
                digest: undefined,
                corrupt: verdict.reason,
              });
              // Everything that was about to read it must be decided again once it is recomputed.
              for (const other of tasks) {
                const os = states.get(other.name)!;
                if (os.phase === "ready" && planner.inputs(other).some(([, u]) => u.name === up.name)) {
                  os.phase = "waiting";
                }
              }
              corrupt = true;
            }
            if (corrupt) {
              changed = true;
              break;
            }
            launch(t, st);
            changed = true;
          }
        }
      }
      if (changed) continue;
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
    await Promise.allSettled(running.values());
    await executor.cancelAll();
    await saveRecord();
    if (scopeError) throw scopeError;

    const outcomes: TaskOutcome[] = tasks.map((t) => {
      const st = states.get(t.name)!;
      const state: TaskOutcome["state"] = st.outcome ?? (needed.has(t.name) ? "not run" : "skipped");
      return {
        task: t.name,
        key: st.key ?? null,
        state,
        durationMs: st.durationMs,
        peakRssBytes: st.peakRssBytes ?? null,
        reasons: st.reasons,
        ...(st.error ? { error: st.error, log: st.log } : {}),
      };
    });
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
