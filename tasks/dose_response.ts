/**
 * `dose_response`: per feature set, what the profiles say about each dose of each compound against DMSO
 * (lib/profiling/dose_response.ts): site-level mAP of a dose's sites retrieving each other among the control
 * sites with permutation p-values, each dose's distance from the controls, and whether that distance orders
 * the doses. The evaluation the real-crops profile allows (DMSO and cycloheximide at three doses, where NSC
 * is not defined); on synthetic data it checks the built-in dose response.
 * @module
 */
import { defineTask, p } from "../workflow/mod.ts";
import { FEATURE_SETS } from "./aggregate.ts";
import { FEATURE_SET_INPUTS } from "./models.ts";

/** The dose-response task. */
export const doseResponseTask = defineTask({
  name: "dose_response",
  version: 1,
  description: "each dose against DMSO: site mAP with p-values, distance, dose ordering (per feature set)",
  inputs: FEATURE_SET_INPUTS,
  publish: true,
  params: {
    nullSize: p.int(10000, { min: 100, doc: "permutation null size of each mAP" }),
    seed: p.int(0, { min: 0 }),
  },
  async run(ctx) {
    const { join } = await import("node:path");
    const { readFeatureSet } = await import("../lib/profiling/feature_store.ts");
    const { doseResponse } = await import("../lib/profiling/dose_response.ts");
    ctx.progress.start(FEATURE_SETS.length, "feature sets");
    const sets: Record<string, unknown> = {};
    for (const name of FEATURE_SETS) {
      const set = await readFeatureSet(ctx.inputs[name]);
      const report = doseResponse(
        { features: set.names, data: set.data, rows: set.rows },
        { nullSize: ctx.params.nullSize, seed: ctx.params.seed },
      );
      sets[name] = report;
      const ordered = report.compounds.filter((c) => c.ordered).length;
      const significant = report.compounds.flatMap((c) => c.doses).filter((x) => x.p !== null && x.p < 0.05);
      ctx.log.info(
        `${name}: ${report.compounds.length} compounds, ${ordered} ordered by dose; ` +
          `${significant.length} doses retrieved at p < 0.05`,
      );
      ctx.progress.tick();
    }
    await Deno.writeTextFile(
      join(ctx.out, "dose_response.json"),
      JSON.stringify({ about: "lib/profiling/dose_response.ts", sets }, null, 2) + "\n",
    );
  },
});
