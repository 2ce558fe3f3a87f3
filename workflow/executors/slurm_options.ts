/**
 * The settings of the `slurm` executor, from a profile (`slurm: {...}`) and the command line
 * (`--slurm-partition`, `--slurm-gpu-partition`, `--slurm-account`, `--slurm-arg`; the command line wins).
 * @module
 */

/** Where and how tasks are submitted. */
export interface SlurmOptions {
  /** `sbatch --partition` of every job (default: the cluster's default partition). */
  partition?: string;
  /** The partition of tasks that ask for GPUs (default: {@link partition}). */
  gpuPartition?: string;
  /** `sbatch --account`. */
  account?: string;
  /** Extra `sbatch` flags, each one argument (e.g. `--qos=long`, `--constraint=a100`). */
  sbatchArgs?: string[];
  /** Seconds between looks at the queue and the jobs' logs (default 1). */
  pollSeconds?: number;
}

const KEYS: (keyof SlurmOptions)[] = ["partition", "gpuPartition", "account", "sbatchArgs", "pollSeconds"];

/** Checks options given in a profile or built from flags: known keys and types only. */
export function checkSlurmOptions(given: unknown, where: string): SlurmOptions {
  if (given === undefined) return {};
  if (given === null || typeof given !== "object" || Array.isArray(given)) {
    throw new Error(`${where}: expected an object of ${KEYS.join(", ")}, got ${JSON.stringify(given)}`);
  }
  for (const [k, v] of Object.entries(given)) {
    if (!KEYS.includes(k as keyof SlurmOptions)) {
      throw new Error(`${where}: unknown key '${k}': expected ${KEYS.join(", ")}`);
    }
    const ok = k === "sbatchArgs"
      ? Array.isArray(v) && v.every((a) => typeof a === "string")
      : k === "pollSeconds"
      ? typeof v === "number" && v > 0
      : typeof v === "string" && /^[\w.-]+$/.test(v);
    if (!ok) {
      const want = k === "sbatchArgs" ? "a list of strings" : k === "pollSeconds" ? "a number > 0" : "a name";
      throw new Error(`${where}: ${k} must be ${want}, got ${JSON.stringify(v)}`);
    }
  }
  return given as SlurmOptions;
}

/** The options in force: the profile's, then the command line's. */
export function mergeSlurmOptions(profile: SlurmOptions | undefined, cli: SlurmOptions): SlurmOptions {
  const out: SlurmOptions = { ...profile };
  for (const [k, v] of Object.entries(cli)) {
    if (v === undefined) continue;
    if (k === "sbatchArgs") out.sbatchArgs = [...(profile?.sbatchArgs ?? []), ...(v as string[])];
    else (out as Record<string, unknown>)[k] = v;
  }
  return out;
}
