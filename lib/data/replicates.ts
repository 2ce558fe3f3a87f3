/**
 * Replicates: a task that repeats its work for several seeds (the trainings' `seeds`, and what is computed
 * from them: features, aggregates) keeps the first seed's output where a single run's would be and each
 * further seed's, laid out the same way, below `replicates/<seed>/`.
 * @module
 */
import { join } from "node:path";

/** The folder of the replicates inside an output. */
export const REPLICATES = "replicates";

/** The seeds of the replicates in `dir`, ascending (none when it has no `replicates/` folder). */
export async function replicateSeeds(dir: string): Promise<number[]> {
  const seeds: number[] = [];
  try {
    for await (const e of Deno.readDir(join(dir, REPLICATES))) {
      if (e.isDirectory && /^\d+$/.test(e.name)) seeds.push(Number(e.name));
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return seeds.sort((a, b) => a - b);
}

/** The folder of replicate `seed` inside `dir`. */
export function replicateDir(dir: string, seed: number): string {
  return join(dir, REPLICATES, String(seed));
}
