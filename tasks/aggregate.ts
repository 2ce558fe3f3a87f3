/**
 * `aggregate`: per feature set of the registry (each model's, classical, random), the cells of annotated treatments
 * (those in the MOA table, DMSO included) aggregated into well and treatment profiles, and treatment profiles
 * of cells normalised against DMSO cells (lib/profiling/aggregate_set.ts has the layout):
 *
 * ```
 * <set>/wells_mean.json, wells_median.json       per well, the mean (median) of its cells
 * <set>/treatments_cells.json                    per treatment, the mean of all its cells (the authors')
 * <set>/treatments_cells_<norm>_<center>.json    the same after a cell-level z-score or whitening
 * <set>/replicates/<seed>/…                      the same for each further training seed
 * ```
 * Tables are lib/profiling/table_io.ts JSON.
 * @module
 */
import { defineTask, p } from "../workflow/mod.ts";
import { FEATURE_SET_IDS } from "../lib/models/registry.ts";
import { FEATURE_SET_INPUTS } from "./models.ts";

/** The feature sets, in table order (the registry's). */
export const FEATURE_SETS = FEATURE_SET_IDS;

/** The aggregation task. */
export const aggregate = defineTask({
  name: "aggregate",
  version: 1,
  description: "well and treatment profiles of every feature set",
  inputs: FEATURE_SET_INPUTS,
  params: {
    cellNormalizations: p.strings(["zscore", "whiten"], {
      doc: "cell-level normalisations against DMSO cells, each tabulated per treatment (zscore, whiten)",
    }),
    cellCenters: p.strings(["global", "batch"], {
      doc:
        "where their DMSO centres are fitted: global, batch or plate (too few DMSO cells: the next coarser)",
    }),
    minControls: p.int(5, { min: 1, doc: "DMSO cells a batch or plate needs for its own centre" }),
    shrinkage: p.number(0.3, {
      min: 0,
      doc: "whitening's regulariser, a fraction of the mean eigenvalue of the DMSO covariance",
    }),
  },
  async run(ctx) {
    const { join } = await import("node:path");
    const { aggregateFeatureSet } = await import("../lib/profiling/aggregate_set.ts");
    const { CELL_NORMALIZATIONS, CENTER_LEVELS } = await import("../lib/profiling/cell_normalize.ts");
    const P = ctx.params;
    for (const n of P.cellNormalizations) {
      if (!CELL_NORMALIZATIONS.includes(n as never)) {
        throw new Error(
          `aggregate.cellNormalizations: unknown '${n}': expected ${CELL_NORMALIZATIONS.join(", ")}`,
        );
      }
    }
    for (const c of P.cellCenters) {
      if (!CENTER_LEVELS.includes(c as never)) {
        throw new Error(`aggregate.cellCenters: unknown '${c}': expected ${CENTER_LEVELS.join(", ")}`);
      }
    }
    const cellProtocols = P.cellNormalizations.flatMap((method) =>
      P.cellCenters.map((center) =>
        ({ method, center }) as import("../lib/profiling/aggregate_set.ts").CellProtocol
      )
    );
    ctx.progress.start(FEATURE_SETS.length, "feature sets");
    for (const name of FEATURE_SETS) {
      const s = await aggregateFeatureSet(ctx.inputs[name], join(ctx.out, name), {
        cellProtocols,
        minControls: P.minControls,
        shrinkage: P.shrinkage,
      });
      ctx.log.info(
        `${name}: ${s.cells} of ${s.total} cells in annotated treatments, ${s.features} features` +
          (s.replicates.length ? `; replicates ${s.replicates.join(", ")}` : ""),
      );
      for (const w of s.warnings) ctx.log.debug(`${name}: ${w}`);
      ctx.progress.tick();
    }
  },
});
