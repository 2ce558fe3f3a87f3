/**
 * Evaluation benchmark: 100,000 synthetic cells × 100 features (BBBC021-shaped:
 * 30 plates in 10 batches, 108 treatments of 12 MOAs, 6 DMSO wells a plate)
 * through the profiling pipeline end to end — cells → well means → per-plate
 * robust z-score vs DMSO → feature selection → DMSO whitening → treatment
 * means → NSC, NSCB and mAP (null size 10,000). Goal: < 5 s. Also times each
 * step and the lighter path without selection and whitening. Data generation
 * is not timed. Writes bench/results/evaluate.json.
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { aggregate } from "../lib/profiling/aggregate.ts";
import { dropInvalidFeatures } from "../lib/profiling/clean.ts";
import { evaluateTreatments } from "../lib/profiling/evaluate.ts";
import { featureSelect } from "../lib/profiling/feature_select.ts";
import { runProfilePipeline } from "../lib/profiling/pipeline.ts";
import { madRobustize } from "../lib/profiling/robustize.ts";
import { median } from "../lib/profiling/stats.ts";
import { syntheticCells } from "../lib/profiling/synthetic.ts";
import { whiten } from "../lib/profiling/whiten.ts";

const CELLS = 100_000, FEATURES = 100, GOAL_MS = 5000, REPEATS = 3;

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Runs the benchmark, writes `bench/results/evaluate.json` and returns its numbers. */
export function main(): Record<string, unknown> {
  const t0 = performance.now();
  const cells = syntheticCells({ cells: CELLS, features: FEATURES, seed: 1 });
  const generateMs = performance.now() - t0;

  const full: number[] = [];
  let result = runProfilePipeline(cells, {
    cellsToWells: "mean",
    normalize: "robustize+whiten",
    select: true,
  });
  for (let r = 0; r < REPEATS; r++) {
    const t = performance.now();
    result = runProfilePipeline(cells, { cellsToWells: "mean", normalize: "robustize+whiten", select: true });
    full.push(performance.now() - t);
  }
  const light: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const t = performance.now();
    runProfilePipeline(cells, { cellsToWells: "mean", normalize: "robustize" });
    light.push(performance.now() - t);
  }
  const medianCells: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const t = performance.now();
    runProfilePipeline(cells, { cellsToWells: "median", normalize: "robustize+whiten", select: true });
    medianCells.push(performance.now() - t);
  }

  // One pass step by step.
  const steps: Record<string, number> = {};
  const time = <T>(name: string, f: () => T): T => {
    const t = performance.now();
    const v = f();
    steps[name] = round(performance.now() - t);
    return v;
  };
  const wells = time("cells_to_wells_mean", () => aggregate(cells, { by: "well" }));
  const clean = time("drop_invalid_features", () => dropInvalidFeatures(wells).table);
  const robust = time("robustize", () => madRobustize(clean).table);
  const selected = time("feature_select", () => featureSelect(robust).table);
  const white = time("whiten", () => whiten(selected).table);
  const treatments = time("wells_to_treatments_mean", () => aggregate(white, { by: "treatment" }));
  time("evaluate_nsc_nscb_map", () => evaluateTreatments(treatments));

  const fullMs = median(full);
  const out = {
    benchmark: "evaluate",
    date: new Date().toISOString(),
    machine: { cpus: navigator.hardwareConcurrency, os: Deno.build.os, deno: Deno.version.deno },
    cells: CELLS,
    features: FEATURES,
    wells: wells.rows.length,
    treatments: treatments.rows.length,
    data_generation_ms: round(generateMs),
    end_to_end_ms: {
      median: round(fullMs),
      min: round(Math.min(...full)),
      goal: GOAL_MS,
      meets_goal: fullMs < GOAL_MS,
      pipeline: "cells→well mean→robustize→select→whiten→treatment mean→NSC+NSCB+mAP(null 10000)",
    },
    robustize_only_ms: round(median(light)),
    cells_to_wells_median_ms: round(median(medianCells)),
    steps_ms: steps,
    result: {
      nsc: result.report.nsc.per_treatment,
      nscb: result.report.nscb.per_treatment,
      map: result.report.map.map,
      features_kept: result.features.length,
    },
  };
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  writeFileSync(new URL("./results/evaluate.json", import.meta.url), JSON.stringify(out, null, 2) + "\n");
  return out;
}

if (import.meta.main) {
  console.log(JSON.stringify(main(), null, 2));
}
