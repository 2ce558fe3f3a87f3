/**
 * Keys and reasons. A {@link Planner} resolves each task's params, code digest and key components, and explains
 * — against the record of the profile's latest run — why a task must run: `new`, `forced`,
 * `param: train.steps 300→500`, `code: lib/profiling/nsc.ts`, `input: segment (output changed)`, …
 * @module
 */
import type { CodeDigest, CodeDigester } from "./code_digest.ts";
import { formatParam, type ParamValue, resolveParams } from "./params.ts";
import { type Pipeline, wire, type Wiring } from "./pipeline.ts";
import { type KeyComponents, keyOf, type Store } from "./store.ts";
import type { AnyTask } from "./task.ts";

/**
 * Version of the engine's semantics. Part of every key: bump it when a change to `workflow/` changes what
 * tasks would compute or how outputs are stored.
 */
export const ENGINE_VERSION = 1;

/** What the record of a profile's latest run keeps about one task. */
export interface TaskRecord {
  key: string;
  components: KeyComponents;
  codeFiles: Record<string, string>;
  outputDigest: string;
  finished: string;
  /** A sharded task's shards: id → key (kept by `gc` with the task's object). */
  shards?: Record<string, string>;
}

/** `cache/runs/<profile>.json`. */
export interface RunRecord {
  profile: string;
  updated: string;
  tasks: Record<string, TaskRecord>;
}

/** A task's place in a plan. */
export interface TaskPlan {
  task: string;
  /** The cache key, or null while an input still has to run (its output digest is not known yet). */
  key: string | null;
  state: "cached" | "run";
  reasons: string[];
}

/** Resolves params, code digests, components and reasons for one profile. */
export class Planner {
  readonly pipeline: Pipeline;
  readonly profile: string;
  readonly store: Store;
  readonly record: RunRecord;
  /** The profile's DAG. */
  readonly wiring: Wiring;
  #digester: CodeDigester;
  #params = new Map<string, Record<string, ParamValue>>();
  #code = new Map<string, Promise<CodeDigest>>();
  #fingerprints = new Map<string, Promise<string | undefined>>();

  constructor(opts: {
    pipeline: Pipeline;
    profile: string;
    store: Store;
    digester: CodeDigester;
    record?: RunRecord;
    cliParams?: Record<string, Record<string, ParamValue>>;
  }) {
    this.pipeline = opts.pipeline;
    this.profile = opts.profile;
    this.store = opts.store;
    this.#digester = opts.digester;
    this.record = opts.record ?? { profile: opts.profile, updated: "", tasks: {} };
    const prof = opts.pipeline.profiles[opts.profile];
    if (!prof) {
      throw new Error(
        `Unknown profile '${opts.profile}': profiles are ${Object.keys(opts.pipeline.profiles).join(", ")}`,
      );
    }
    this.wiring = wire(opts.pipeline, opts.profile);
    for (const task of opts.pipeline.tasks) {
      this.#params.set(
        task.name,
        resolveParams(task.name, task.params, [
          { source: `profile '${opts.profile}'`, values: prof.params[task.name] ?? {} },
          { source: "--param", values: opts.cliParams?.[task.name] ?? {} },
        ]),
      );
    }
  }

  /** The profile's tasks, in pipeline order. */
  get tasks(): readonly AnyTask[] {
    return this.wiring.tasks;
  }

  /** The task of a name, among the profile's tasks. */
  task(name: string): AnyTask {
    const t = this.tasks.find((t) => t.name === name);
    if (!t) {
      throw new Error(
        `Unknown task '${name}' in profile '${this.profile}': tasks are ${
          this.tasks.map((t) => t.name).join(", ")
        }`,
      );
    }
    return t;
  }

  /** Resolved params of a task. */
  params(task: AnyTask): Record<string, ParamValue> {
    return this.#params.get(task.name)!;
  }

  /** Code digest of a task (memoised). */
  code(task: AnyTask): Promise<CodeDigest> {
    let c = this.#code.get(task.name);
    if (!c) {
      c = this.#digest(task);
      this.#code.set(task.name, c);
    }
    return c;
  }

  #digest(task: AnyTask): Promise<CodeDigest> {
    const others = new Set(this.pipeline.tasks.map((t) => t.module).filter((m) => m !== task.module));
    return this.#digester.digest(task.module, task.files, others);
  }

  /**
   * The files of a task's code that changed on disk since its digest was taken (at the start of the run, when
   * the runner loaded the task's declaration): a task must not run code other than what its key says.
   */
  async codeChangedSince(task: AnyTask): Promise<string[]> {
    const then = await this.code(task);
    const now = await this.#digest(task);
    if (now.digest === then.digest) return [];
    const paths = new Set([...Object.keys(then.files), ...Object.keys(now.files)]);
    return [...paths].filter((f) => then.files[f] !== now.files[f]).sort();
  }

  #fingerprint(task: AnyTask): Promise<string | undefined> {
    let f = this.#fingerprints.get(task.name);
    if (!f) {
      // A fingerprint that cannot be taken (the data is missing) is not fatal here: the key then differs from
      // any earlier one, and the task's own run reports the problem clearly.
      f = task.fingerprint
        ? Promise.resolve()
          .then(() => task.fingerprint!(this.params(task), this.pipeline.root))
          .then(String, (e) => `unavailable: ${(e as Error).message}`)
        : Promise.resolve(undefined);
      this.#fingerprints.set(task.name, f);
    }
    return f;
  }

  /** Input name → upstream task, as wired for the profile. */
  inputs(task: AnyTask): readonly [string, AnyTask][] {
    return this.wiring.inputs.get(task.name)!;
  }

  /** Key components of a task given its inputs' output digests. */
  async components(task: AnyTask, inputDigests: Record<string, string>): Promise<KeyComponents> {
    const code = await this.code(task);
    const inputs: KeyComponents["inputs"] = {};
    for (const [name, up] of this.inputs(task)) {
      inputs[name] = { task: up.name, digest: inputDigests[up.name] };
    }
    const fingerprint = await this.#fingerprint(task);
    return {
      engine: ENGINE_VERSION,
      task: task.name,
      version: task.version,
      params: this.params(task),
      code: code.digest,
      npm: code.npm,
      inputs,
      ...(fingerprint === undefined ? {} : { fingerprint }),
    };
  }

  /**
   * Why `task` must run, compared with the profile's latest run of it. `components` may lack inputs whose
   * tasks have yet to run (`pending`).
   */
  async reasons(
    task: AnyTask,
    components: Omit<KeyComponents, "inputs"> & { inputs: Record<string, { task: string; digest?: string }> },
    pending: string[],
    key: string | null,
    objectProblem?: string,
  ): Promise<string[]> {
    const prev = this.record.tasks[task.name];
    if (!prev) return ["new"];
    const out: string[] = [];
    const pc = prev.components;
    if (pc.engine !== components.engine) out.push(`engine: version ${pc.engine}→${components.engine}`);
    if (pc.version !== components.version) out.push(`version: ${pc.version}→${components.version}`);
    const keys = new Set([...Object.keys(pc.params), ...Object.keys(components.params)]);
    for (const k of [...keys].sort()) {
      const a = pc.params[k], b = components.params[k];
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        out.push(`param: ${task.name}.${k} ${formatParam(a)}→${formatParam(b)}`);
      }
    }
    if (pc.code !== components.code) {
      const files = (await this.code(task)).files;
      const paths = new Set([...Object.keys(prev.codeFiles), ...Object.keys(files)]);
      for (const f of [...paths].sort()) {
        if (!(f in files)) out.push(`code: ${f} (no longer imported)`);
        else if (!(f in prev.codeFiles)) out.push(`code: ${f} (newly imported)`);
        else if (files[f] !== prev.codeFiles[f]) out.push(`code: ${f}`);
      }
    }
    const pn = new Set(pc.npm), cn = new Set(components.npm);
    for (const p of components.npm) if (!pn.has(p)) out.push(`npm: ${p} (new)`);
    for (const p of pc.npm) if (!cn.has(p)) out.push(`npm: ${p} (no longer used)`);
    if (pc.fingerprint !== components.fingerprint) out.push("external: data changed");
    for (const [name, input] of Object.entries(components.inputs)) {
      if (pending.includes(input.task)) out.push(`input: ${input.task} (reruns)`);
      else if (pc.inputs[name]?.digest !== input.digest) out.push(`input: ${input.task} (output changed)`);
    }
    if (out.length === 0 && objectProblem && key === prev.key) out.push(objectProblem);
    if (out.length === 0) out.push(key === prev.key ? "missing: not in the cache" : "key changed");
    return out;
  }

  /**
   * The plan of every task in pipeline order: `cached` when the object of its key is in the store and passes a
   * quick check, `run` otherwise, with reasons. `force` names tasks to plan as forced.
   */
  async plan(force: Set<string> | "all" = new Set()): Promise<TaskPlan[]> {
    const plans: TaskPlan[] = [];
    const digests: Record<string, string> = {};
    const running = new Set<string>();
    for (const task of this.tasks) {
      const pending = this.inputs(task).map(([, up]) => up.name).filter((n) => running.has(n));
      const components = await this.components(task, digests);
      const key = pending.length ? null : keyOf(components);
      const forced = force === "all" || force.has(task.name);
      let problem: string | undefined;
      if (key && !forced) {
        const verdict = await this.store.verify(key, "quick");
        if (verdict.ok) {
          digests[task.name] = verdict.manifest.outputDigest;
          plans.push({ task: task.name, key, state: "cached", reasons: [] });
          continue;
        }
        problem = verdict.reason;
      }
      running.add(task.name);
      const reasons = forced ? ["forced"] : await this.reasons(task, components, pending, key, problem);
      plans.push({ task: task.name, key, state: "run", reasons });
    }
    return plans;
  }
}
