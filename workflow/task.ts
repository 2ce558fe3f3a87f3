/**
 * Task declarations. A task is a plain object made by {@link defineTask}: a name, a version, the tasks whose
 * outputs it reads, typed params, and a `run` function that must be pure given its inputs and params.
 *
 * ```ts
 * export const evaluate = defineTask({
 *   name: "evaluate",
 *   version: 1,
 *   inputs: { profiles: aggregate },
 *   params: { k: p.int(1, { min: 1 }) },
 *   async run(ctx) {
 *     const { evaluate } = await import("../lib/profiling/evaluate.ts"); // heavy code loaded lazily
 *     await evaluate(ctx.inputs.profiles, ctx.out, ctx.params.k);
 *   },
 * });
 * ```
 *
 * Keep a task module's top level light (declarations only) and import the science inside `run` with
 * `await import(...)`: every run of the CLI loads all task modules, and the engine still digests the
 * dynamically imported code because `deno info` lists literal dynamic imports in the module graph.
 * @module
 */
import type { ParamSpecs, ParamValues } from "./params.ts";
import { checkResources, type Resources } from "./resources.ts";
import type { SlurmOptions } from "./executors/slurm_options.ts";

/** Leveled logger given to a task; lines go to the task's log (kept in its manifest). */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

/** Progress reporter given to a task. */
export interface Progress {
  /** Sets the total amount of work and its unit (`fields`, `steps`, …). */
  start(total: number, unit?: string): void;
  /** Adds `n` (default 1) to the work done. */
  tick(n?: number): void;
  /** Sets the work done to an absolute value. */
  set(done: number): void;
  /** A short status text shown beside the bar (e.g. a loss value). */
  note(text: string): void;
}

/**
 * Options that change how a run is scheduled but never what it computes: they are recorded in manifests but
 * are not part of any key.
 */
export interface RunSettings {
  /** How many tasks may run at once. */
  jobs: number;
  /** Compute backend preference for tasks that have several (`auto` unless given). */
  backend: string;
  /** `debug`, `info` or `warn`. */
  logLevel: string;
  /**
   * The most CPU threads one `threaded` task may compute on (`--threads`; default: the machine's cores).
   * Each gets its share of the cores free when it starts ({@link TaskContext.threads}).
   */
  threads?: number;
  /** Where tasks run: `process` (default), `inline` or `slurm` (see `executor.ts`). */
  executor?: string;
  /** The `slurm` executor's settings (the profile's, then the command line's). */
  slurm?: SlurmOptions;
}

/** What `run` receives. Paths are absolute. */
export interface TaskContext<P, I extends string> {
  /** The task's name. */
  readonly name: string;
  /** The cache key of this run. */
  readonly key: string;
  /** Resolved params (defaults, then the profile's, then `--param`). */
  readonly params: P;
  /** Read-only directory of each input task's output. */
  readonly inputs: Readonly<Record<I, string>>;
  /** Empty directory to write outputs into; renamed into the store only if `run` succeeds. */
  readonly out: string;
  /** Directory that survives an interrupted attempt with the same key (for resumable training). */
  readonly checkpoint: string;
  /** Project root (the directory holding the pipeline's deno.json), for resolving relative external paths. */
  readonly root: string;
  readonly log: Logger;
  readonly progress: Progress;
  /** Aborted when the user interrupts the run or a sibling task fails. */
  readonly signal: AbortSignal;
  readonly settings: Readonly<RunSettings>;
  /** The shard this attempt computes, for a task declared with `shards` (see {@link TaskSpec.shards}). */
  readonly shard?: string;
  /**
   * For a sharded task's `merge`: each shard's id → the read-only folder of its output, in the order
   * `shards` listed them.
   */
  readonly shards?: Readonly<Record<string, string>>;
  /**
   * CPU threads this attempt may compute on: for a `threaded` task, its share of the cores that were free
   * when it started (so that tasks running side by side do not oversubscribe the machine), at most
   * `settings.threads`; 1 otherwise.
   */
  readonly threads: number;
  /**
   * Records facts of this attempt that are not outputs: wall-clock time, rates, the machine's or the device's
   * description. They go to the object's manifest (`facts`) and run.json, never into the output digest, so
   * that an output depends only on inputs, params and code (calls merge; values must be JSON).
   */
  record(facts: Record<string, unknown>): void;
}

/**
 * Alternative upstream tasks for one input; a profile picks one (`inputs: { task: { input: "name" } }`),
 * the first by default. Tasks that only feed alternatives no profile picks are not part of that profile's DAG.
 */
export interface Alternatives {
  readonly alternatives: readonly AnyTask[];
}

/** Declares an input that a profile may wire to any of `tasks` (the first is the default). */
export function oneOf(...tasks: AnyTask[]): Alternatives {
  if (tasks.length === 0) throw new Error("oneOf: expected at least one task");
  return Object.freeze({ alternatives: tasks });
}

/**
 * One shard of a sharded task: its id and what it reads. Its key covers the task's code, version and params,
 * the id, the files of its inputs under `reads` (paths relative to an input's folder; a folder ends with `/`,
 * `""` is the whole input) and `fingerprint`, and nothing else of the inputs: a shard whose own files did not
 * change stays cached when others are added or changed.
 */
export interface ShardSpec {
  /** `[A-Za-z0-9._-]+`, unique within the task. */
  id: string;
  /** Per input name, the files and folders of that input the shard reads. */
  reads: Record<string, string[]>;
  /**
   * What else the shard depends on that is not a whole file of an input: its rows of a shared table, the
   * sizes and times of external files. Part of the shard's key.
   */
  fingerprint?: string;
}

/** An input declaration: a task, or alternatives. */
export type Input = AnyTask | Alternatives;

/** Where a task runs: in its own Deno process (default; parallel, isolated) or inside the runner process. */
export type Isolation = "process" | "inline";

/** The declaration accepted by {@link defineTask}. */
export interface TaskSpec<N extends string, S extends ParamSpecs, I extends Record<string, Input>> {
  /** Unique name, `[a-z][a-z0-9_]*`. */
  name: N;
  /** Bump to invalidate cached outputs when behaviour changes in a way the code digest cannot see. */
  version: number;
  /** One line saying what the task makes. */
  description?: string;
  /** Upstream tasks (or {@link oneOf} alternatives), by the name `run` sees them under. */
  inputs?: I;
  /** Parameter declarations with typed defaults. */
  params?: S;
  /**
   * Copy the output into `results/<profile>/<name>/` after a successful run (for the site): `true` for all of
   * it, or a list of top-level files and folders of the output (what is absent is skipped).
   */
  publish?: boolean | readonly string[];
  /** `process` (default) or `inline`. */
  isolation?: Isolation;
  /**
   * Whether `run` computes on several threads ({@link TaskContext.threads}); the scheduler then hands it a
   * share of the free cores. Inline tasks always get one thread.
   */
  threaded?: boolean;
  /**
   * What the task needs of a machine (defaults: 1 CPU, 4 GiB, no GPU, 60 minutes); a profile may override
   * it. Executors that place tasks on machines (Slurm) ask for it; it never changes the key.
   */
  resources?: Partial<Resources>;
  /**
   * Extra files (project-relative) whose contents the task depends on but which are not modules in its
   * import graph (a wasm binary, a data table): digested verbatim into the code digest.
   */
  files?: string[];
  /**
   * Fingerprint of external data the task reads (a folder outside the cache named by a param): a string that
   * changes when that data changes. It becomes part of the key.
   */
  fingerprint?: (params: ParamValues<S>, root: string) => Promise<string> | string;
  /** The computation. Must be pure given inputs and params; writes only under `ctx.out` and `ctx.checkpoint`. */
  run(ctx: TaskContext<ParamValues<S>, Extract<keyof I, string>>): Promise<void> | void;
  /**
   * Splits the task into shards known before it runs, from its params and its inputs' folders (read in the
   * runner: keep it cheap, e.g. a metadata table). The engine runs `run` once per shard (`ctx.shard` set), each
   * keyed and cached on its own ({@link ShardSpec}) and placed by the executor like a task, then `merge`
   * once to combine the shards' outputs (`ctx.shards`) into the task's output, which is keyed as any task's.
   * Needs `merge`.
   */
  shards?(
    params: ParamValues<S>,
    inputs: Readonly<Record<Extract<keyof I, string>, string>>,
  ): Promise<ShardSpec[]> | ShardSpec[];
  /** Combines the shards' outputs (`ctx.shards`) into `ctx.out`; cheap, it runs in one process. */
  merge?(ctx: TaskContext<ParamValues<S>, Extract<keyof I, string>>): Promise<void> | void;
}

/** A declared task. */
export interface Task<
  N extends string = string,
  S extends ParamSpecs = ParamSpecs,
  I extends Record<string, Input> = Record<string, Input>,
> extends Readonly<TaskSpec<N, S, I>> {
  readonly inputs: I;
  readonly params: S;
  readonly isolation: Isolation;
  readonly threaded: boolean;
  readonly files: string[];
  readonly resources: Partial<Resources>;
  /** file: URL of the module that declared the task (the root of its code digest). */
  readonly module: string;
}

// deno-lint-ignore no-explicit-any
export type AnyTask = Task<string, any, any>;

const NAME = /^[a-z][a-z0-9_]*$/;

/** The file: URL of the module that called the function calling this one. */
function callerModule(): string {
  const stack = new Error().stack ?? "";
  const self = import.meta.url;
  for (const line of stack.split("\n").slice(1)) {
    const m = /(file:\/\/[^\s)]+?):\d+:\d+\)?\s*$/.exec(line);
    if (m && m[1] !== self) return m[1];
  }
  throw new Error("defineTask: cannot tell which module declared this task; pass `module: import.meta.url`");
}

/**
 * Declares a task. The declaring module (found from the call stack, or given as `module`) is the root of the
 * task's code digest.
 */
export function defineTask<
  const N extends string,
  S extends ParamSpecs = Record<never, never>,
  I extends Record<string, Input> = Record<never, never>,
>(spec: TaskSpec<N, S, I> & { module?: string }): Task<N, S, I> {
  if (!NAME.test(spec.name)) {
    throw new Error(`Invalid task name '${spec.name}': expected lower case letters, digits and _`);
  }
  if (!Number.isInteger(spec.version) || spec.version < 0) {
    throw new Error(`Task '${spec.name}': expected an integer version ≥ 0, got ${spec.version}`);
  }
  const allowed = new Set([
    "name",
    "version",
    "description",
    "inputs",
    "params",
    "publish",
    "isolation",
    "threaded",
    "files",
    "resources",
    "fingerprint",
    "run",
    "shards",
    "merge",
    "module",
  ]);
  for (const key of Object.keys(spec)) {
    if (!allowed.has(key)) throw new Error(`Task '${spec.name}': unknown field '${key}'`);
  }
  const resources = checkResources(spec.resources, `Task '${spec.name}': resources`);
  if (!spec.shards !== !spec.merge) {
    throw new Error(
      `Task '${spec.name}': declares ${spec.shards ? "shards without merge" : "merge without shards"}`,
    );
  }
  return Object.freeze({
    ...spec,
    inputs: (spec.inputs ?? {}) as I,
    params: (spec.params ?? {}) as S,
    isolation: spec.isolation ?? "process",
    threaded: spec.threaded ?? false,
    files: spec.files ?? [],
    resources,
    module: spec.module ?? callerModule(),
  });
}
