/**
 * One attempt of a task, from a decided key to a committed store object: a fresh work folder under
 * `cache/tmp`, the task's log, the {@link Job} handed to the executor, and, if `run` succeeded, the commit of
 * its output into the store under its key (a rename: nothing half-written is ever visible). A failed or
 * cancelled attempt keeps its log under `cache/logs/` and leaves nothing else behind but its checkpoints.
 * @module
 */
import { join } from "node:path";
import type { Executor } from "./executor.ts";
import { removeTree } from "./fsutil.ts";
import type { Job } from "./job.ts";
import type { Planner } from "./plan.ts";
import type { Reporter } from "./progress.ts";
import { host, versions } from "./provenance.ts";
import type { Resources } from "./resources.ts";
import type { KeyComponents, Manifest, Store } from "./store.ts";
import type { AnyTask, RunSettings } from "./task.ts";

/** What the scheduler decided about the attempt. */
export interface AttemptPlan {
  task: AnyTask;
  key: string;
  components: KeyComponents;
  reasons: string[];
  /** Each input's name, and the key of the object it reads. */
  inputKeys: Record<string, string>;
  threads: number;
  resources: Resources;
  /** The name progress and logs go under (default: the task's). */
  label?: string;
  /** A shard's attempt: its id. */
  shard?: string;
  /** A sharded task's merge: shard id → output folder. */
  shards?: Record<string, string>;
  /** Forced (`--force`): a sharded task recomputes its cached shards too. */
  forced?: boolean;
}

/** What the attempt needs from the run. */
export interface AttemptContext {
  store: Store;
  planner: Planner;
  executor: Executor;
  reporter: Reporter;
  settings: RunSettings;
  profile: string;
  pipelineModule: string;
  root: string;
  signal: AbortSignal;
}

/** The attempt's outcome. */
export type AttemptResult =
  | { ok: true; manifest: Manifest; peakRssBytes: number | null }
  | { ok: false; cancelled: boolean; error: string; log: string; durationMs: number };

/** Whether an error is the disk running full (ENOSPC), in this process or in a task's. */
export function diskFull(e: Error): boolean {
  return /No space left on device|os error 28|ENOSPC/i.test(e.message);
}

/** What to say when the cache's disk is full. */
export function diskFullMessage(cacheDir: string): string {
  return `no space left on the device of ${cacheDir}: nothing of this attempt was kept; free some space ` +
    `(deno task gc removes unused objects) or use --cache on a larger disk, then run again`;
}

/** Runs one attempt and commits its output; never throws for the task's own failure. */
export async function runAttempt(plan: AttemptPlan, ctx: AttemptContext): Promise<AttemptResult> {
  const { task: t, key } = plan;
  const label = plan.label ?? t.name;
  const { store, planner, reporter } = ctx;
  const started = new Date();
  const work = await store.newWorkDir(t.name);
  const logPath = join(work, "task.log");
  const log: string[] = [];
  const logFile = await Deno.open(logPath, { write: true, create: true, append: true });
  const enc = new TextEncoder();
  const facts: Record<string, unknown> = {};
  const events = {
    log(level: string, message: string) {
      const line = `${new Date().toISOString()} ${level} ${message}`;
      if (log.length < 20_000) log.push(line);
      logFile.writeSync(enc.encode(line + "\n"));
      reporter.taskLog(label, level, message);
    },
    progress(pr: Parameters<Reporter["taskProgress"]>[1]) {
      reporter.taskProgress(label, pr);
    },
    facts(f: Record<string, unknown>) {
      Object.assign(facts, f);
    },
  };
  reporter.taskStarted(label, plan.reasons);
  const inputs: Record<string, string> = {};
  for (const [name, k] of Object.entries(plan.inputKeys)) inputs[name] = store.objectDir(k);
  const checkpoint = store.checkpointDir(key);
  await Deno.mkdir(checkpoint, { recursive: true });
  const job: Job = {
    pipeline: ctx.pipelineModule,
    task: t.name,
    key,
    params: planner.params(t),
    inputs,
    out: join(work, "out"),
    checkpoint,
    root: ctx.root,
    settings: ctx.settings,
    threads: plan.threads,
    ...(plan.shard !== undefined ? { shard: plan.shard } : {}),
    ...(plan.shards ? { shards: plan.shards } : {}),
  };
  try {
    const changed = await planner.codeChangedSince(t);
    if (changed.length) {
      throw new Error(
        `its code changed on disk during this run (${changed.join(", ")}); run again to use the new code`,
      );
    }
    const measured = await ctx.executor.execute(
      { task: t, job, resources: plan.resources, events },
      ctx.signal,
    );
    logFile.close();
    const finished = new Date();
    const code = await planner.code(t);
    const manifest: Manifest = await store.commit(key, job.out, {
      task: t.name,
      components: plan.components,
      codeFiles: code.files,
      inputKeys: plan.inputKeys,
      started: started.toISOString(),
      finished: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
      peakRssBytes: measured.peakRssBytes,
      host: host(),
      versions: versions(),
      settings: {
        ...ctx.settings,
        profile: ctx.profile,
        taskThreads: plan.threads,
        resources: plan.resources,
        executor: ctx.executor.name,
        ...(measured.placement ? { placement: measured.placement } : {}),
      },
      facts,
      log,
    });
    return { ok: true, manifest, peakRssBytes: measured.peakRssBytes };
  } catch (e) {
    try {
      logFile.close();
    } catch { /* closed */ }
    // The attempt's output goes first: on a full disk, that is what frees room for its log.
    await removeTree(join(work, "out")).catch(() => {});
    let kept = join(
      store.dir,
      "logs",
      `${t.name}${plan.shard ? `-${plan.shard}` : ""}-${key.slice(0, 12)}.log`,
    );
    try {
      await Deno.mkdir(join(store.dir, "logs"), { recursive: true });
      await Deno.copyFile(logPath, kept);
    } catch (copyError) {
      kept = `(not kept: ${(copyError as Error).message})`;
    }
    return {
      ok: false,
      cancelled: ctx.signal.aborted,
      error: diskFull(e as Error)
        ? `${diskFullMessage(store.dir)} (${(e as Error).message})`
        : (e as Error).message,
      log: kept,
      durationMs: Date.now() - started.getTime(),
    };
  } finally {
    await removeTree(work);
  }
}
