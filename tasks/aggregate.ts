/**
 * `aggregate`: per feature set (dcgan, wgan, lsgan, random, classical), the cells of annotated treatments
 * (those in the MOA table, DMSO included) aggregated:
 *
 * ```
 * <set>/wells_mean.json        per well, the mean of its cells
 * <set>/wells_median.json      per well, the median of its cells
 * <set>/treatments_cells.json  per treatment, the mean of all its cells (the authors' protocol: no well step)
 * ```
 * Tables are lib/profiling/table_io.ts JSON.
 * @module
 */
import { defineTask } from "../workflow/mod.ts";
import { extractClassical, extractDcgan, extractLsgan, extractRandom, extractWgan } from "./extract.ts";

/** The feature sets, in table order. */
export const FEATURE_SETS = ["dcgan", "wgan", "lsgan", "classical", "random"] as const;

/** The tasks that make them: the inputs of every task that reads all five. */
export const FEATURE_SET_INPUTS = {
  dcgan: extractDcgan,
  wgan: extractWgan,
  lsgan: extractLsgan,
  classical: extractClassical,
  random: extractRandom,
};

/** The aggregation task. */
export const aggregate = defineTask({
  name: "aggregate",
  version: 1,
  description: "well and treatment profiles of every feature set",
  inputs: FEATURE_SET_INPUTS,
  async run(ctx) {
    const { join } = await import("node:path");
    const { readFeatureSet } = await import("../lib/profiling/feature_store.ts");
    const { aggregate } = await import("../lib/profiling/aggregate.ts");
    const { tableToJson } = await import("../lib/profiling/table_io.ts");
    ctx.progress.start(FEATURE_SETS.length, "feature sets");
    for (const name of FEATURE_SETS) {
      const set = await readFeatureSet(ctx.inputs[name]);
      const d = set.names.length;
      const keep = set.rows.map((r, i) => [r, i] as const).filter(([r]) => r.moa !== null);
      const data = new Float32Array(keep.length * d);
      keep.forEach(([, i], k) => data.set(set.data.subarray(i * d, (i + 1) * d), k * d));
      const cells = {
        features: set.names,
        data,
        rows: keep.map(([r]) => ({
          plate: r.plate,
          well: r.well,
          batch: r.batch,
          compound: r.compound,
          concentration: r.concentration,
          moa: r.moa,
        })),
      };
      const dir = join(ctx.out, name);
      await Deno.mkdir(dir, { recursive: true });
      for (const method of ["mean", "median"] as const) {
        await Deno.writeTextFile(
          join(dir, `wells_${method}.json`),
          tableToJson(aggregate(cells, { by: "well", method })),
        );
      }
      await Deno.writeTextFile(
        join(dir, "treatments_cells.json"),
        tableToJson(aggregate(cells, { by: "treatment", method: "mean" })),
      );
      ctx.log.info(
        `${name}: ${keep.length} of ${set.rows.length} cells in annotated treatments, ${d} features`,
      );
      ctx.progress.tick();
    }
  },
});
