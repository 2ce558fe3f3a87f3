/**
 * A pipeline: the ordered list of tasks (like a Snakefile's rules) and the profiles that override their params.
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ParamValues, resolveParams } from "./params.ts";
import type { Alternatives, AnyTask, Input } from "./task.ts";
import { checkResources, type Resources } from "./resources.ts";
import { checkSlurmOptions, type SlurmOptions } from "./executors/slurm_options.ts";

/** Per-task param overrides of a profile, typed against the pipeline's tasks. */
export type Overrides<T extends readonly AnyTask[]> = {
  [K in T[number] as K["name"]]?: Partial<ParamValues<K["params"]>>;
};

/** A named set of param overrides. */
export interface Profile {
  /** The profile's name, as given to `--profile`. */
  name: string;
  /** One paragraph: what the profile runs and what it costs. */
  description: string;
  /** Param overrides per task name. */
  params: Record<string, Record<string, unknown>>;
  /** Choices of {@link oneOf} inputs: task name → input name → upstream task name. */
  inputs?: Record<string, Record<string, string>>;
  /** Resource overrides per task name (what a task needs of a machine; never part of a key). */
  resources?: Record<string, Partial<Resources>>;
  /** Slurm settings of this profile (partitions, account, extra `sbatch` flags); the command line wins. */
  slurm?: SlurmOptions;
}

/** A profile's DAG: its tasks in pipeline order and each task's wired inputs. */
export interface Wiring {
  readonly tasks: readonly AnyTask[];
  readonly inputs: ReadonlyMap<string, readonly [string, AnyTask][]>;
}

const isAlternatives = (input: Input): input is Alternatives => "alternatives" in input;

/** Every task an input may read. */
export function candidates(input: Input): readonly AnyTask[] {
  return isAlternatives(input) ? input.alternatives : [input];
}

/**
 * Wires a profile's DAG: each {@link oneOf} input reads the profile's choice (or the first alternative), and
 * the tasks kept are those reachable, through wired inputs, from the pipeline's final tasks (those no task
 * lists as an input).
 */
export function wire(pipeline: Pick<Pipeline, "tasks" | "profiles">, profileName: string): Wiring {
  const profile = pipeline.profiles[profileName];
  const inputs = new Map<string, [string, AnyTask][]>();
  for (const task of pipeline.tasks) {
    const chosen = profile?.inputs?.[task.name] ?? {};
    inputs.set(
      task.name,
      Object.entries(task.inputs as Record<string, Input>).map(([name, input]) => {
        const options = candidates(input);
        const pick = chosen[name] === undefined ? options[0] : options.find((t) => t.name === chosen[name])!;
        return [name, pick];
      }),
    );
  }
  const fed = new Set<string>();
  for (const task of pipeline.tasks) {
    for (const input of Object.values(task.inputs as Record<string, Input>)) {
      for (const t of candidates(input)) fed.add(t.name);
    }
  }
  const keep = new Set<string>();
  const visit = (task: AnyTask) => {
    if (keep.has(task.name)) return;
    keep.add(task.name);
    for (const [, up] of inputs.get(task.name)!) visit(up);
  };
  for (const task of pipeline.tasks) if (!fed.has(task.name)) visit(task);
  return { tasks: pipeline.tasks.filter((t) => keep.has(t.name)), inputs };
}

/**
 * A step run after every successful `reproduce`, on the exported results (e.g. building a website from
 * them). It is not a task: it reads `results/`, which the engine writes after the DAG; it keeps its own
 * up-to-date check. `--no-<name>` skips it.
 */
export interface AfterStep {
  /** Short name, `[a-z][a-z-]*` (the `--no-<name>` flag). */
  name: string;
  /** What it makes. */
  description: string;
  /** Runs the step; returns a line to print (what it made, where). */
  run(ctx: AfterContext): Promise<string>;
}

/** What an {@link AfterStep} gets. */
export interface AfterContext {
  /** The project root. */
  root: string;
  /** The results folder (all profiles). */
  resultsDir: string;
  /** The profile just run. */
  profile: string;
  /** Progress lines. */
  log: (line: string) => void;
}

/**
 * The results in a few lines for the terminal (e.g. a headline table and where to look), printed at the end
 * of every successful `reproduce` and by the `results` command, from the exported results alone.
 */
export type Headline = (ctx: Omit<AfterContext, "log">) => Promise<string>;

/** A validated pipeline. */
export interface Pipeline {
  /** Tasks in a topological order (each task's inputs come before it). */
  readonly tasks: readonly AnyTask[];
  readonly profiles: Readonly<Record<string, Profile>>;
  readonly defaultProfile: string;
  /** file: URL of the module that declared the pipeline. */
  readonly module: string;
  /** Project root: the nearest directory above the pipeline module holding a deno.json (or the module's own). */
  readonly root: string;
  /** The step run after each successful `reproduce`, if any. */
  readonly after: AfterStep | null;
  /** The results in a few lines (`reproduce`'s last words, the `results` command), if any. */
  readonly headline: Headline | null;
}

/**
 * Declares a profile, type-checking its overrides against the pipeline's tasks (pass their type:
 * `defineProfile<Stages>({...})`); values are checked again at run time, so unknown keys are errors either way.
 */
export function defineProfile<T extends readonly AnyTask[]>(
  profile: {
    name: string;
    description: string;
    params: Overrides<T>;
    inputs?: Profile["inputs"];
    resources?: { [K in T[number] as K["name"]]?: Partial<Resources> };
    slurm?: SlurmOptions;
  },
): Profile {
  return profile as Profile;
}

/** Finds the project root for a module: the nearest ancestor directory with a deno.json. */
export function projectRoot(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl));
  for (let dir = start;;) {
    if (existsSync(join(dir, "deno.json")) || existsSync(join(dir, "deno.jsonc"))) return dir;
    const up = dirname(dir);
    if (up === dir) return start;
    dir = up;
  }
}

/**
 * Declares and validates a pipeline: unique task names, inputs that are earlier tasks of the pipeline, and
 * profiles whose overrides name known tasks and params with valid values.
 */
export function definePipeline(spec: {
  tasks: readonly AnyTask[];
  profiles: Profile[];
  defaultProfile: string;
  module: string;
  after?: AfterStep;
  headline?: Headline;
}): Pipeline {
  if (spec.after && !/^[a-z][a-z-]*$/.test(spec.after.name)) {
    throw new Error(`Invalid after-step name '${spec.after.name}': expected lower case letters and -`);
  }
  const seen = new Map<string, AnyTask>();
  for (const task of spec.tasks) {
    if (seen.has(task.name)) throw new Error(`Pipeline lists task '${task.name}' twice`);
    for (const [inputName, input] of Object.entries(task.inputs as Record<string, Input>)) {
      for (const up of candidates(input)) {
        if (seen.get(up.name) !== up) {
          throw new Error(
            `Task '${task.name}' reads input '${inputName}' from task '${up.name}', which ${
              spec.tasks.includes(up) ? "is listed after it" : "is not in the pipeline"
            }: list every task after the tasks it reads`,
          );
        }
      }
    }
    seen.set(task.name, task);
  }
  const profiles: Record<string, Profile> = {};
  for (const profile of spec.profiles) {
    if (profiles[profile.name]) throw new Error(`Pipeline declares profile '${profile.name}' twice`);
    for (const [taskName, values] of Object.entries(profile.params)) {
      const task = seen.get(taskName);
      if (!task) {
        throw new Error(
          `Profile '${profile.name}' sets params of unknown task '${taskName}': tasks are ${
            [...seen.keys()].join(", ")
          }`,
        );
      }
      resolveParams(taskName, task.params, [{ source: `profile '${profile.name}'`, values }]);
    }
    for (const [taskName, choices] of Object.entries(profile.inputs ?? {})) {
      const task = seen.get(taskName);
      if (!task) throw new Error(`Profile '${profile.name}' wires inputs of unknown task '${taskName}'`);
      for (const [inputName, choice] of Object.entries(choices)) {
        const input = (task.inputs as Record<string, Input>)[inputName];
        if (!input) {
          throw new Error(`Profile '${profile.name}' wires unknown input '${taskName}.${inputName}'`);
        }
        const options = candidates(input).map((t) => t.name);
        if (!isAlternatives(input) || !options.includes(choice)) {
          throw new Error(
            `Profile '${profile.name}' wires '${taskName}.${inputName}' to '${choice}': expected one of ${
              isAlternatives(input)
                ? options.join(", ")
                : `the oneOf alternatives (it is fixed to ${options[0]})`
            }`,
          );
        }
      }
    }
    for (const key of Object.keys(profile)) {
      if (!["name", "description", "params", "inputs", "resources", "slurm"].includes(key)) {
        throw new Error(
          `Profile '${profile.name}': unknown field '${key}': expected name, description, params, inputs, ` +
            `resources, slurm`,
        );
      }
    }
    for (const [taskName, request] of Object.entries(profile.resources ?? {})) {
      if (!seen.has(taskName)) {
        throw new Error(`Profile '${profile.name}' sets resources of unknown task '${taskName}'`);
      }
      checkResources(request, `Profile '${profile.name}': resources of '${taskName}'`);
    }
    checkSlurmOptions(profile.slurm, `Profile '${profile.name}': slurm`);
    profiles[profile.name] = profile;
  }
  if (!profiles[spec.defaultProfile]) {
    throw new Error(`Default profile '${spec.defaultProfile}' is not declared`);
  }
  return Object.freeze({
    tasks: [...spec.tasks],
    profiles,
    defaultProfile: spec.defaultProfile,
    module: spec.module,
    root: projectRoot(spec.module),
    after: spec.after ?? null,
    headline: spec.headline ?? null,
  });
}
