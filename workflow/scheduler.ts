/**
 * The scheduler of one run. Tasks are decided in pipeline order as soon as their inputs are done: a task
 * whose key is in the store is `cached`; otherwise it is ready, and starts (up to `jobs` at once) once each
 * of its input objects has been fully rehashed (a corrupt one is quarantined and recomputed first). Keys use
 * the output digests of inputs, so a task that reruns and reproduces identical output leaves its dependents
 * cached (early cutoff). The first failure stops new work: locally, running siblings finish and keep their
 * artifacts; on a cluster the runner cancels its other jobs. Each attempt runs through the executor
 * ({@link runAttempt}, {@link runSharded} for a sharded task).
 * @module
 */
import { type AttemptContext, type AttemptPlan, type AttemptResult, runAttempt } from "./attempt.ts";
import type { Executor } from "./executor.ts";
import type { Planner, RunRecord } from "./plan.ts";
import { resolveResources, type Resources } from "./resources.ts";
import type { RunOptions, TaskOutcome } from "./run.ts";
import { runSharded } from "./shards.ts";
import { type KeyComponents, keyOf, type Store } from "./store.ts";
import type { AnyTask } from "./task.ts";

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

/** What a {@link Scheduler} works with. */
export interface SchedulerSetup {
  opts: RunOptions;
  store: Store;
  planner: Planner;
  executor: Executor;
  /** The tasks asked for (`--only`/`--until`, else all); their inputs are decided too, never run. */
  scope: Set<string>;
  force: Set<string> | "all";
  /** Writes the run record (after each task that ran). */
  saveRecord: () => Promise<void>;
}

/** Decides and runs the tasks of one run. */
export class Scheduler {
  readonly #s: SchedulerSetup;
  readonly #tasks: readonly AnyTask[];
  readonly #record: RunRecord;
  /** Every task a task in scope needs, itself included. */
  readonly #needed = new Set<string>();
  readonly #states = new Map<string, State>();
  readonly #fullyVerified = new Set<string>();
  readonly #running = new Map<string, Promise<void>>();
  /** Cores of this machine held by each running task (its threads; 0 on a cluster). */
  readonly #held = new Map<string, number>();
  readonly #cores = navigator.hardwareConcurrency;
  readonly #abort = new AbortController();
  readonly #forcedDone = new Set<string>();
  #stopping = false;
  #scopeError: Error | undefined;

  constructor(setup: SchedulerSetup) {
    this.#s = setup;
    this.#tasks = setup.planner.tasks;
    this.#record = setup.planner.record;
    const need = (t: AnyTask) => {
      if (this.#needed.has(t.name)) return;
      this.#needed.add(t.name);
      for (const [, up] of setup.planner.inputs(t)) need(up);
    };
    for (const t of this.#tasks) if (setup.scope.has(t.name)) need(t);
    for (const t of this.#tasks) this.#states.set(t.name, { phase: "waiting", reasons: [], durationMs: 0 });
    setup.opts.signal?.addEventListener("abort", () => this.#abort.abort(), { once: true });
    this.#abort.signal.addEventListener("abort", () => (this.#stopping = true));
  }

  /** What each task asked for, with the profile's override. */
  resourcesOf(t: AnyTask): Resources {
    return resolveResources(
      t.resources,
      this.#s.opts.pipeline.profiles[this.#s.opts.profile].resources?.[t.name],
    );
  }

  /** Runs until every needed task is done or the run stops; then every task's outcome. */
  async run(): Promise<TaskOutcome[]> {
    const { executor } = this.#s;
    // Everything that might run must be placeable before anything is submitted.
    await executor.check(
      this.#tasks.filter((t) => this.#needed.has(t.name)).map((t) => ({
        task: t,
        resources: this.resourcesOf(t),
      })),
    );
    while (true) {
      const changed = !this.#stopping && ((await this.#decideWaiting()) || (await this.#startReady()));
      if (changed) continue;
      if (this.#running.size === 0) break;
      await Promise.race(this.#running.values());
    }
    await Promise.allSettled(this.#running.values());
    await executor.cancelAll();
    await this.#s.saveRecord();
    if (this.#scopeError) throw this.#scopeError;
    return this.#tasks.map((t) => {
      const st = this.#states.get(t.name)!;
      const state: TaskOutcome["state"] = st.outcome ?? (this.#needed.has(t.name) ? "not run" : "skipped");
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
  }

  /** Decides every waiting task whose inputs are done; true if any was. */
  async #decideWaiting(): Promise<boolean> {
    let changed = false;
    for (const t of this.#tasks) {
      const st = this.#states.get(t.name)!;
      if (!this.#needed.has(t.name) || st.phase !== "waiting") continue;
      if (!this.#s.planner.inputs(t).every(([, up]) => this.#states.get(up.name)!.phase === "done")) continue;
      try {
        await this.#decide(t, st);
      } catch (e) {
        this.#scopeError = e as Error;
        this.#stopping = true;
        return true;
      }
      changed = true;
    }
    return changed;
  }

  /**
   * Starts what is ready, after every task was decided (so that threaded tasks that become ready together
   * share the cores); true if any started, or if an input turned out corrupt (the scheduler then decides
   * again).
   */
  async #startReady(): Promise<boolean> {
    for (const t of this.#tasks) {
      const st = this.#states.get(t.name)!;
      if (!this.#needed.has(t.name) || st.phase !== "ready") continue;
      if (this.#running.size >= this.#s.opts.settings.jobs || this.#stopping) break;
      if (!(await this.#inputsSound(t))) return true;
      this.#launch(t, st);
      return true;
    }
    return false;
  }

  #forced(t: AnyTask): boolean {
    return this.#s.force === "all" || this.#s.force.has(t.name);
  }

  /** Sets a task's key and decides: cached, or ready with the reasons it must run. */
  async #decide(t: AnyTask, st: State): Promise<void> {
    const { planner, store, scope } = this.#s;
    const digests: Record<string, string> = {};
    for (const [, up] of planner.inputs(t)) digests[up.name] = this.#states.get(up.name)!.digest!;
    const components = await planner.components(t, digests);
    const key = keyOf(components);
    st.key = key;
    st.components = components;
    if (this.#forced(t) && !this.#forcedDone.has(t.name) && scope.has(t.name)) {
      st.reasons = ["forced"];
      st.phase = "ready";
      return;
    }
    const verdict = await store.verify(key, "quick");
    if (verdict.ok) {
      Object.assign(st, { phase: "done", outcome: "cached", digest: verdict.manifest.outputDigest });
      if (scope.has(t.name)) {
        const previous = this.#record.tasks[t.name];
        const shards = previous?.key === key ? previous.shards : undefined;
        this.#record.tasks[t.name] = {
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
      const only = [...scope];
      throw new Error(
        `Cannot run only ${
          only.join(", ")
        }: its input '${t.name}' is not in the cache (${verdict.reason}); ` +
          `run with --until ${only.join(",")} instead`,
      );
    }
    st.reasons = st.corrupt ? [st.corrupt] : await planner.reasons(t, components, [], key, verdict.reason);
    st.phase = "ready";
  }

  /**
   * Rehashes every input object of `t` once per run. A corrupt one is quarantined and its task waits to be
   * recomputed, with every ready task that reads it; false then.
   */
  async #inputsSound(t: AnyTask): Promise<boolean> {
    const { planner, store, opts } = this.#s;
    let sound = true;
    for (const [, up] of planner.inputs(t)) {
      const us = this.#states.get(up.name)!;
      if (this.#fullyVerified.has(us.key!)) continue;
      const verdict = await store.verify(us.key!, "full");
      if (verdict.ok) {
        this.#fullyVerified.add(us.key!);
        continue;
      }
      const moved = await store.quarantine(us.key!);
      opts.reporter.warn(
        `${up.name}: cached object ${
          us.key!.slice(0, 12)
        } is ${verdict.reason}; moved to ${moved}, recomputing`,
      );
      Object.assign(us, { phase: "waiting", outcome: undefined, digest: undefined, corrupt: verdict.reason });
      // Everything that was about to read it must be decided again once it is recomputed.
      for (const other of this.#tasks) {
        const os = this.#states.get(other.name)!;
        if (os.phase === "ready" && planner.inputs(other).some(([, u]) => u.name === up.name)) {
          os.phase = "waiting";
        }
      }
      sound = false;
    }
    return sound;
  }

  /** Cores of this machine held by running tasks. */
  #busyCores(): number {
    return [...this.#held.values()].reduce((a, n) => a + n, 0);
  }

  /**
   * A threaded task's threads on this machine: its share of the free cores, split evenly with the other
   * threaded tasks ready to start beside it (as many as there are free slots), at most `settings.threads`.
   */
  #threadsFor(t: AnyTask): number {
    if (!t.threaded || t.isolation === "inline") return 1;
    const waiting =
      this.#tasks.filter((u) =>
        u !== t && u.threaded && u.isolation !== "inline" && this.#needed.has(u.name) &&
        this.#states.get(u.name)!.phase === "ready"
      ).length;
    const settings = this.#s.opts.settings;
    return threadShare({
      free: this.#cores - this.#busyCores(),
      sharing: Math.min(1 + waiting, settings.jobs - this.#running.size),
      cap: settings.threads ?? this.#cores,
    });
  }

  /** Starts one attempt of `t` (all its shards and its merge, for a sharded task). */
  #launch(t: AnyTask, st: State): void {
    const { opts, store, planner, executor } = this.#s;
    st.phase = "running";
    const resources = this.resourcesOf(t);
    // A local executor shares this machine's free cores out as threads; elsewhere a threaded task gets the
    // CPUs it asked for.
    const threads = executor.local ? this.#threadsFor(t) : (t.threaded ? resources.cpus : 1);
    // A sharded task runs its shards side by side: locally on the free cores, on a cluster as many as --jobs.
    const shardSlots = executor.local
      ? Math.max(1, Math.min(opts.settings.jobs, this.#cores - this.#busyCores()))
      : opts.settings.jobs;
    this.#held.set(t.name, executor.local ? (t.shards ? shardSlots : threads) : 0);
    const forced = st.reasons.includes("forced");
    if (this.#forced(t)) this.#forcedDone.add(t.name);
    const inputKeys: Record<string, string> = {};
    for (const [name, up] of planner.inputs(t)) inputKeys[name] = this.#states.get(up.name)!.key!;
    const plan: AttemptPlan = {
      task: t,
      key: st.key!,
      components: st.components!,
      reasons: st.reasons,
      inputKeys,
      threads,
      resources,
      forced,
    };
    const ctx: AttemptContext = {
      store,
      planner,
      executor,
      reporter: opts.reporter,
      settings: opts.settings,
      profile: opts.profile,
      pipelineModule: opts.pipeline.module,
      root: opts.pipeline.root,
      signal: this.#abort.signal,
    };
    const p = (async () => {
      const r: AttemptResult & { shards?: Record<string, string>; wallMs?: number } = t.shards
        ? await runSharded(plan, ctx, shardSlots)
        : await runAttempt(plan, ctx);
      if (r.ok) {
        Object.assign(st, {
          phase: "done",
          outcome: "ran",
          digest: r.manifest.outputDigest,
          durationMs: r.wallMs ?? r.manifest.durationMs,
          peakRssBytes: r.peakRssBytes,
        });
        this.#record.tasks[t.name] = {
          key: st.key!,
          components: st.components!,
          codeFiles: r.manifest.codeFiles,
          outputDigest: r.manifest.outputDigest,
          finished: r.manifest.finished,
          ...(r.shards ? { shards: r.shards } : {}),
        };
        await this.#s.saveRecord();
        opts.reporter.taskFinished(t.name, "ran", st.durationMs);
      } else {
        const state = r.cancelled ? "cancelled" : "failed";
        Object.assign(st, {
          phase: state,
          outcome: state,
          durationMs: r.durationMs,
          error: r.error,
          log: r.log,
        });
        this.#stopping = true;
        // The first failure stops new work. Locally, running siblings finish and keep their outputs; on a
        // cluster, the runner cancels its other jobs (a training resumes from its checkpoint next time).
        if (!r.cancelled && !executor.local) this.#abort.abort();
        opts.reporter.taskFinished(t.name, state, r.durationMs);
      }
    })();
    this.#running.set(t.name, p);
    p.finally(() => {
      this.#running.delete(t.name);
      this.#held.delete(t.name);
    });
  }
}
