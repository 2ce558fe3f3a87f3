/**
 * What a task needs of a machine: CPUs, memory, GPUs and time. A task declares them (`resources` in
 * {@link defineTask}), a profile overrides them per task (`resources` in a profile), and an executor that
 * places tasks on machines (Slurm) asks for them. They change where and how a task runs, never what it
 * computes: they are recorded in the manifest and are not part of any key.
 * @module
 */

/** A task's request. */
export interface Resources {
  /** CPU cores (a `threaded` task computes on this many threads where the executor grants them). */
  cpus: number;
  /** Memory, GiB. */
  memGiB: number;
  /** GPUs. */
  gpus: number;
  /** Wall-clock limit, minutes. */
  minutes: number;
}

/** The request of a task that declares nothing. */
export const DEFAULT_RESOURCES: Readonly<Resources> = Object.freeze({
  cpus: 1,
  memGiB: 4,
  gpus: 0,
  minutes: 60,
});

const KEYS = Object.keys(DEFAULT_RESOURCES) as (keyof Resources)[];

/**
 * Checks a partial request (a task's declaration or a profile's override): known keys only, each a whole
 * number ≥ 0 (≥ 1 for cpus and minutes; memGiB may be fractional). `where` names it in errors.
 */
export function checkResources(given: unknown, where: string): Partial<Resources> {
  if (given === undefined) return {};
  if (given === null || typeof given !== "object" || Array.isArray(given)) {
    throw new Error(`${where}: expected an object of ${KEYS.join(", ")}, got ${JSON.stringify(given)}`);
  }
  const out: Partial<Resources> = {};
  for (const [k, v] of Object.entries(given)) {
    if (!KEYS.includes(k as keyof Resources)) {
      throw new Error(`${where}: unknown resource '${k}': expected ${KEYS.join(", ")}`);
    }
    const min = k === "cpus" || k === "minutes" ? 1 : 0;
    const whole = k !== "memGiB";
    if (typeof v !== "number" || !Number.isFinite(v) || v < min || (whole && !Number.isInteger(v))) {
      throw new Error(
        `${where}: ${k} must be ${whole ? "a whole number" : "a number"} ≥ ${min}, got ${JSON.stringify(v)}`,
      );
    }
    out[k as keyof Resources] = v;
  }
  return out;
}

/** The request in force: the defaults, then the task's declaration, then the profile's override. */
export function resolveResources(
  declared: Partial<Resources> | undefined,
  override: Partial<Resources> | undefined,
): Resources {
  return { ...DEFAULT_RESOURCES, ...declared, ...override };
}
