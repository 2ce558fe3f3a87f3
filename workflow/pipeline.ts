/**
 * A pipeline: the ordered list of tasks (like a Snakefile's rules) and the profiles that override their params.
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ParamValues, resolveParams } from "./params.ts";
import type { AnyTask } from "./task.ts";

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
}

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
}

/**
 * Declares a profile, type-checking its overrides against the pipeline's tasks (pass their type:
 * `defineProfile<Stages>({...})`); values are checked again at run time, so unknown keys are errors either way.
 */
export function defineProfile<T extends readonly AnyTask[]>(
  profile: { name: string; description: string; params: Overrides<T> },
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
}): Pipeline {
  const seen = new Map<string, AnyTask>();
  for (const task of spec.tasks) {
    if (seen.has(task.name)) throw new Error(`Pipeline lists task '${task.name}' twice`);
    for (const [inputName, input] of Object.entries(task.inputs as Record<string, AnyTask>)) {
      if (seen.get(input.name) !== input) {
        throw new Error(
          `Task '${task.name}' reads input '${inputName}' from task '${input.name}', which ${
            spec.tasks.includes(input) ? "is listed after it" : "is not in the pipeline"
          }: list every task after the tasks it reads`,
        );
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
  });
}
