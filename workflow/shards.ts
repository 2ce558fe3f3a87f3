/**
 * Sharded tasks: a task that declares `shards` and `merge` (see {@link TaskSpec.shards}) runs as one attempt
 * per shard, each keyed and cached on its own, then one `merge` attempt that makes the task's object.
 *
 * A shard's key is the task's key components with `inputs` narrowed to the files the shard says it reads
 * (their digests come from the input objects' manifests, so nothing is rehashed) and `shard` set to its id
 * and fingerprint. Adding a plate to a dataset thus adds one shard and leaves the others cached; the merge
 * reruns (its key covers the whole inputs, like any task's) and is cheap by contract.
 * @module
 */
import { canonicalJson, sha256 } from "./hash.ts";
import { type AttemptContext, type AttemptPlan, type AttemptResult, runAttempt } from "./attempt.ts";
import { type KeyComponents, keyOf, type Manifest } from "./store.ts";
import type { ShardSpec } from "./task.ts";

const ID = /^[A-Za-z0-9._-]+$/;

/** Whether `path` (relative to an input's folder) is one of `reads` or inside one of its folders. */
function isRead(path: string, reads: readonly string[]): boolean {
  return reads.some((r) => r === "" || r === path || (r.endsWith("/") && path.startsWith(r)));
}

/** The key components of one shard, from its task's and the manifests of the task's inputs. */
export function shardComponents(
  base: KeyComponents,
  shard: ShardSpec,
  inputManifests: Record<string, Manifest>,
): KeyComponents {
  const inputs: KeyComponents["inputs"] = {};
  for (const [name, reads] of Object.entries(shard.reads)) {
    const m = inputManifests[name];
    if (!m) {
      throw new Error(
        `Task '${base.task}': shard '${shard.id}' reads input '${name}', which the task does not have (inputs: ${
          Object.keys(inputManifests).join(", ")
        })`,
      );
    }
    const files = Object.keys(m.files).filter((f) => isRead(f, reads)).sort();
    inputs[name] = {
      task: base.inputs[name].task,
      digest: sha256(canonicalJson(files.map((f) => [f, m.files[f].sha256]))),
    };
  }
  return {
    ...base,
    inputs,
    shard: { id: shard.id, ...(shard.fingerprint !== undefined ? { fingerprint: shard.fingerprint } : {}) },
  };
}

/** Checks a task's shard list: at least one, ids well formed and unique, reads a map of path lists. */
export function checkShards(task: string, shards: unknown): ShardSpec[] {
  if (!Array.isArray(shards) || shards.length === 0) {
    throw new Error(`Task '${task}': shards() must return at least one shard, got ${JSON.stringify(shards)}`);
  }
  const seen = new Set<string>();
  for (const s of shards as ShardSpec[]) {
    if (typeof s?.id !== "string" || !ID.test(s.id)) {
      throw new Error(`Task '${task}': shard id ${JSON.stringify(s?.id)} is not [A-Za-z0-9._-]+`);
    }
    if (seen.has(s.id)) throw new Error(`Task '${task}': shard '${s.id}' is listed twice`);
    seen.add(s.id);
    const ok = s.reads && typeof s.reads === "object" &&
      Object.values(s.reads).every((r) => Array.isArray(r) && r.every((p) => typeof p === "string"));
    if (!ok) throw new Error(`Task '${task}': shard '${s.id}': reads must map input names to lists of paths`);
  }
  return shards as ShardSpec[];
}

/** What running a sharded task produced: the merge's result and each shard's key. */
export type ShardedResult = AttemptResult & { shards: Record<string, string>; wallMs: number };

/**
 * Runs a sharded task: its shards (cached ones skipped, unless the task is forced), `limit` at a time, then
 * its merge. The first failed
 * shard stops new ones and fails the task, naming the shard.
 */
export async function runSharded(
  plan: AttemptPlan,
  ctx: AttemptContext,
  limit: number,
): Promise<ShardedResult> {
  const t = plan.task;
  const t0 = Date.now();
  ctx.reporter.taskStarted(t.name, plan.reasons);
  const inputDirs: Record<string, string> = {};
  const manifests: Record<string, Manifest> = {};
  for (const [name, key] of Object.entries(plan.inputKeys)) {
    inputDirs[name] = ctx.store.objectDir(key);
    const m = await ctx.store.readManifest(key);
    if (!m) throw new Error(`Task '${t.name}': input '${name}' (${key.slice(0, 12)}) has no manifest`);
    manifests[name] = m;
  }
  const specs = checkShards(t.name, await t.shards!(ctx.planner.params(t) as never, inputDirs as never));
  const keys: Record<string, string> = {};
  const todo: { spec: ShardSpec; components: KeyComponents; key: string }[] = [];
  for (const spec of specs) {
    const components = shardComponents(plan.components, spec, manifests);
    const key = keyOf(components);
    keys[spec.id] = key;
    if (plan.forced || !(await ctx.store.verify(key, "quick")).ok) todo.push({ spec, components, key });
  }
  const cached = specs.length - todo.length;
  ctx.reporter.taskLog(
    t.name,
    "info",
    `${specs.length} shard${specs.length === 1 ? "" : "s"}: ${todo.length} to run, ${cached} cached`,
  );
  let failure: (AttemptResult & { ok: false }) | undefined;
  const queue = [...todo];
  const worker = async () => {
    while (queue.length && !failure && !ctx.signal.aborted) {
      const { spec, components, key } = queue.shift()!;
      const label = `${t.name}[${spec.id}]`;
      const r = await runAttempt({
        ...plan,
        key,
        components,
        label,
        shard: spec.id,
        // Locally the free cores are shared out among the shards running at once; elsewhere each has its own.
        threads: ctx.executor.local
          ? Math.max(1, Math.floor(limit / Math.min(limit, todo.length)))
          : plan.threads,
        reasons: [`shard ${spec.id}`],
      }, ctx);
      ctx.reporter.taskFinished(
        label,
        r.ok ? "ran" : r.cancelled ? "cancelled" : "failed",
        r.ok ? r.manifest.durationMs : r.durationMs,
      );
      if (!r.ok && !failure) failure = { ...r, error: `shard '${spec.id}': ${r.error}` };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, todo.length)) }, worker));
  const wallMs = () => Date.now() - t0;
  if (failure) return { ...failure, durationMs: wallMs(), shards: keys, wallMs: wallMs() };
  if (ctx.signal.aborted) {
    return {
      ok: false,
      cancelled: true,
      error: "cancelled",
      log: "",
      durationMs: wallMs(),
      shards: keys,
      wallMs: wallMs(),
    };
  }
  const shardDirs = Object.fromEntries(specs.map((s) => [s.id, ctx.store.objectDir(keys[s.id])]));
  const label = `${t.name}[merge]`;
  const merged = await runAttempt({
    ...plan,
    shards: shardDirs,
    threads: 1,
    label,
    reasons: [`${specs.length} shards`],
  }, ctx);
  ctx.reporter.taskFinished(
    label,
    merged.ok ? "ran" : merged.cancelled ? "cancelled" : "failed",
    merged.ok ? merged.manifest.durationMs : merged.durationMs,
  );
  return { ...merged, ...(merged.ok ? {} : { durationMs: wallMs() }), shards: keys, wallMs: wallMs() };
}
