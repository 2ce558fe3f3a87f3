/**
 * `evaluate`: MOA accuracy of every feature set under several protocols, and Table 1.
 *
 * Protocols (each gives NSC and NSCB 1-NN accuracy, per treatment and averaged per compound, per-MOA recall,
 * confusion matrices, nearest neighbours, and mAP of same-MOA retrieval; lib/profiling/):
 * - `cells-mean`: treatment = mean of all its cells, no normalisation — the authors' protocol;
 * - `wells-<agg>/<norm>`: cells → well mean → `none` | `robustize` (per-plate robust z-score vs DMSO) |
 *   `whiten` (DMSO whitening) → treatment `mean` | `median`;
 * - `wells-<agg>/<norm>+select`: the same with pycytominer-style feature selection (variance, correlation
 *   > 0.9, outliers) after the robust z-score.
 *
 * A protocol the data cannot support (e.g. per-plate robust z-scores against one DMSO well per plate: a MAD
 * of 0, so every feature is an outlier and selection removes them all) does not fail the task: it is
 * recorded as `{ "not_applicable": reason }` and the others are evaluated.
 *
 * Outputs: `evaluation.json` (every set × protocol, full reports, or why a protocol is not applicable) and
 * `table1.json`: one row per method, ours under the authors' protocol and under our best applicable protocol
 * (by NSC per compound), beside the paper's numbers.
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
    const { tableFromJson } = await import("../lib/profiling/table_io.ts");
    const { evaluateTreatments } = await import("../lib/profiling/evaluate.ts");
    const { runProfilePipeline, NORMALIZE_METHODS } = await import("../lib/profiling/pipeline.ts");
    const { tryProtocol } = await import("../lib/profiling/protocol.ts");
    const { FEATURE_SET_LABELS, PAPER_TABLE1 } = await import("../lib/profiling/paper_table1.ts");
    type Report = ReturnType<typeof evaluateTreatments>;
    type AggregateRow = import("../lib/profiling/types.ts").AggregateRow;
    type ProfileRow = import("../lib/profiling/types.ts").ProfileRow;
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
    const evalOptions = { nullSize: P.mapNull, seed: P.seed };
    const summary = (r: Report) => ({
      nsc_per_compound: r.nsc.per_compound,
      nsc_per_treatment: r.nsc.per_treatment,
      nsc_n: r.nsc.n,
      nscb_per_compound: r.nscb.per_compound,
      nscb_per_treatment: r.nscb.per_treatment,
      nscb_n: r.nscb.n,
      map: r.map.map,
      map_fraction_retrieved: r.map.fraction_retrieved,
    });
    type Evaluated = { summary: ReturnType<typeof summary>; report: Report };
    const results: Record<string, Record<string, Evaluated | { not_applicable: string }>> = {};
    /** One protocol: its summary and report, or why it does not apply to this data. */
    const evaluateProtocol = (run: () => Report) => {
      const o = tryProtocol(run);
      return o.notApplicable === undefined
        ? { summary: summary(o.result), report: o.result }
        : { not_applicable: o.notApplicable };
    };
    // NSC needs annotated treatments of at least two compounds besides the control (not so for a crop set
    // of DMSO and one compound): then Table 1 has only the paper's numbers and the reason (see dose_response).
    const probe = tableFromJson<AggregateRow>(
      await Deno.readTextFile(join(ctx.inputs.profiles, FEATURE_SETS[0], "treatments_cells.json")),
    );
    const compounds = new Set(
      probe.rows.filter((r) => r.moa && r.compound !== "DMSO").map((r) => r.compound),
    );
    const undefinedReason = compounds.size < 2
      ? `NSC needs annotated treatments of at least 2 compounds besides DMSO; this data has ${compounds.size} ` +
        `(${[...compounds].join(", ") || "none"}): see dose_response for what it allows`
      : null;
    if (undefinedReason) ctx.log.warn(undefinedReason);
    ctx.progress.start(FEATURE_SETS.length, "feature sets");
    for (const set of undefinedReason ? [] : FEATURE_SETS) {
      const dir = join(ctx.inputs.profiles, set);
      const read = async <R extends ProfileRow>(f: string) =>
        tableFromJson<R>(await Deno.readTextFile(join(dir, f)), join(dir, f));
      results[set] = {};
      const treatments = await read<AggregateRow>("treatments_cells.json");
      results[set]["cells-mean"] = evaluateProtocol(() => evaluateTreatments(treatments, evalOptions));
      const wells = await read<ProfileRow>("wells_mean.json");
      for (const normalize of P.normalizations) {
        for (const agg of P.aggregations) {
          for (const select of P.select ? [false, true] : [false]) {
            const name = `wells-${agg}/${normalize}${select ? "+select" : ""}`;
            results[set][name] = evaluateProtocol(() => {
              const r = runProfilePipeline(wells, {
                normalize: normalize as never,
                aggregate: agg as "mean" | "median",
                select,
                evaluate: evalOptions,
                source: `${set} wells`,
              });
              for (const w of r.warnings) ctx.log.debug(`${set} ${name}: ${w}`);
              return r.report;
            });
          }
        }
      }
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
      const authors = results[set]["cells-mean"];
      ctx.log.info(
        "summary" in authors
          ? `${set}: NSC ${(authors.summary.nsc_per_compound * 100).toFixed(1)} % per compound (authors' ` +
            `protocol), NSCB ${(authors.summary.nscb_per_treatment * 100).toFixed(1)} %, mAP ${
              authors.summary.map.toFixed(3)
            }` + (na.length ? `; ${na.length} protocol(s) not applicable` : "")
          : `${set}: the authors' protocol is not applicable: ${authors.not_applicable}`,
      );
      ctx.progress.tick();
    }
    /** The applicable protocols of a set. */
    const evaluated = (set: string) =>
      Object.entries(results[set]).filter((e): e is [string, Evaluated] => "summary" in e[1]);
    const best = (set: string) => {
      const entries = evaluated(set);
      if (entries.length === 0) return null;
      entries.sort((a, b) => b[1].summary.nsc_per_compound - a[1].summary.nsc_per_compound);
      return { protocol: entries[0][0], ...entries[0][1].summary };
    };
    const authors = (set: string) => {
      const r = results[set]["cells-mean"];
      return "summary" in r ? { protocol: "cells-mean", ...r.summary } : null;
    };
    const names = FEATURE_SET_LABELS;
    const rows = FEATURE_SETS.map((set) => {
      const paper = PAPER_TABLE1.find((r) => r.set === set);
      return {
        method: names[set],
        set,
        ours: undefinedReason ? null : authors(set),
        best: undefinedReason ? null : best(set),
        paper: paper
          ? { method: paper.method, nsc: paper.nsc, draft: paper.draft ?? null, source: paper.source }
          : null,
      };
    });
    const others = PAPER_TABLE1.filter((r) => r.set === null).map((r) => ({
      method: r.method,
      set: null,
      ours: null,
      best: null,
      paper: { method: r.method, nsc: r.nsc, draft: r.draft ?? null, source: r.source },
    }));
    const table1 = {
      metric: "1-NN MOA accuracy (fractions); NSC per compound is the paper's number",
      protocols: {
        "cells-mean": "treatment = mean of its cells, no normalisation (the authors')",
        best: "our best applicable protocol by NSC per compound (see evaluation.json)",
      },
      undefinedReason,
      rows: [...rows, ...others],
    };
    await Deno.writeTextFile(join(ctx.out, "table1.json"), JSON.stringify(table1, null, 2) + "\n");
    await Deno.writeTextFile(join(ctx.out, "evaluation.json"), JSON.stringify(results) + "\n");
  },
});
