/**
 * `evaluate`: MOA accuracy of every feature set under several protocols, for every training seed, and
 * Table 1 beside the paper (lib/profiling/evaluate_sets.ts).
 *
 * Protocols (each gives NSC and NSCB 1-NN accuracy, per treatment and averaged per compound, per-MOA recall,
 * confusion matrices, nearest neighbours, and mAP of same-MOA retrieval):
 * - `cells-mean`: treatment = mean of all its cells, no normalisation — the authors' protocol;
 * - `cells-<zscore|whiten>/<global|batch>`: cells normalised against DMSO cells first (the `aggregate`
 *   task's cell-level tables), then the mean per treatment;
 * - `wells-<agg>/<norm>`: cells → well mean → `none` | `robustize` (per-plate robust z-score vs DMSO) |
 *   `whiten` (DMSO whitening) → treatment `mean` | `median`;
 * - `wells-<agg>/<norm>+select`: the same with pycytominer-style feature selection (variance, correlation
 *   > 0.9, outliers) after the robust z-score.
 *
 * A protocol the data cannot support (e.g. per-plate robust z-scores against one DMSO well per plate: a MAD
 * of 0, so every feature is an outlier and selection removes them all) does not fail the task: it is
 * recorded as `{ "not_applicable": reason }` and the others are evaluated.
 *
 * Outputs: `evaluation.json` (every set × protocol: mean over seeds, sd, each seed, the first seed's full
 * report, or why a protocol is not applicable) and `table1.json`: one row per method, ours under the
 * authors' protocol and under our best applicable protocol (by mean NSC per compound) with ± sd over seeds,
 * the untrained control under the GAN's best protocol, beside the paper's numbers; and `models.json`, the
 * registry's models and feature sets (lib/models/registry.ts), which the site lists.
 * @module
 */
import { defineTask, p } from "../workflow/mod.ts";
import { aggregate, FEATURE_SETS } from "./aggregate.ts";

/** The evaluation task. */
export const evaluate = defineTask({
  name: "evaluate",
  version: 1,
  description: "NSC / NSCB / mAP of every feature set and protocol; Table 1 beside the paper",
  inputs: { profiles: aggregate },
  publish: true,
  params: {
    normalizations: p.strings(["none", "robustize", "whiten"], { doc: "well-level normalisations to try" }),
    aggregations: p.strings(["mean", "median"], { doc: "wells → treatment aggregations to try" }),
    select: p.bool(true, { doc: "also evaluate each well protocol with feature selection" }),
    mapNull: p.int(10000, { min: 100, doc: "permutations of the mAP null" }),
    seed: p.int(0, { min: 0 }),
  },
  async run(ctx) {
    const { join } = await import("node:path");
    const { writeFileAtomic } = await import("../lib/data/atomic_write.ts");
    const { evaluateSets, nscUndefinedReason, table1 } = await import("../lib/profiling/evaluate_sets.ts");
    const { NORMALIZE_METHODS } = await import("../lib/profiling/pipeline.ts");
    const P = ctx.params;
    for (const n of P.normalizations) {
      if (!NORMALIZE_METHODS.includes(n as never)) {
        throw new Error(`evaluate.normalizations: unknown '${n}': expected ${NORMALIZE_METHODS.join(", ")}`);
      }
    }
    for (const a of P.aggregations) {
      if (a !== "mean" && a !== "median") {
        throw new Error(`evaluate.aggregations: unknown '${a}': expected mean, median`);
      }
    }
    // NSC needs annotated treatments of at least two compounds besides the control (not so for a crop set
    // of DMSO and one compound): then Table 1 has only the paper's numbers and the reason (see dose_response).
    const undefinedReason = await nscUndefinedReason(ctx.inputs.profiles, FEATURE_SETS[0]);
    if (undefinedReason) ctx.log.warn(undefinedReason);
    ctx.progress.start(FEATURE_SETS.length, "feature sets");
    const results = await evaluateSets(ctx.inputs.profiles, undefinedReason ? [] : FEATURE_SETS, {
      normalizations: P.normalizations as never,
      aggregations: P.aggregations as ("mean" | "median")[],
      select: P.select,
      evaluate: { nullSize: P.mapNull, seed: P.seed },
      debug: (line) => ctx.log.debug(line),
      onSet: () => ctx.progress.tick(),
    });
    for (const set of undefinedReason ? [] : FEATURE_SETS) {
      const na = Object.entries(results[set]).flatMap(([name, r]) =>
        "not_applicable" in r ? [[name, r.not_applicable] as const] : []
      );
      if (na.length) {
        ctx.log.warn(
          `${set}: ${na.length} protocol(s) not applicable: ${na.map(([name]) => name).join(", ")} (${
            na[0][0]
          }: ${na[0][1].split("; after:")[0]}; every reason is in evaluation.json)`,
        );
      }
    }
    const table = table1(results, FEATURE_SETS, undefinedReason);
    const pct = (v: number | undefined) => v === undefined ? "–" : `${(v * 100).toFixed(1)}`;
    for (const r of table.rows.filter((r) => r.set && (r.ours || r.best))) {
      const e = (x: typeof r.best) =>
        x ? `${pct(x.nsc_per_compound)}${x.n_seeds > 1 ? ` ± ${pct(x.sd.nsc_per_compound)}` : ""} %` : "–";
      ctx.log.info(
        `${r.set}: NSC per compound ${e(r.ours)} (authors' protocol), ${e(r.best)} (${r.best?.protocol})` +
          (r.control ? `; untrained control ${e(r.control)}` : "") +
          (r.best && r.best.n_seeds > 1 ? `; ${r.best.n_seeds} seeds` : ""),
      );
    }
    await writeFileAtomic(join(ctx.out, "table1.json"), JSON.stringify(table, null, 2) + "\n");
    // The registry's models and feature sets, which the site lists (it keeps no list of its own).
    const { registryJson } = await import("../lib/models/registry.ts");
    await writeFileAtomic(join(ctx.out, "models.json"), JSON.stringify(registryJson(), null, 2) + "\n");
    await writeFileAtomic(join(ctx.out, "evaluation.json"), JSON.stringify(results) + "\n");
  },
});
