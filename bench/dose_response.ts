/**
 * Dose-response benchmark: seconds per feature set (100 features, null size 10,000) on moa-crops-shaped
 * synthetic cells (lib/profiling/synthetic_sites.ts: ~1.9 cells a site, one dose on 37 % of the sites, as
 * moa-crops' taxol 0.3 µM) at 2,000 and 20,000 cells, before and after the speed-up. "Before" is the kept
 * previous implementation (bench/reference/dose_response_v1.ts): at 2,000 cells timed as it is; at 20,000
 * (an hour) timed at null sizes 20 and 40 and extrapolated to 10,000 — its time is linear in the null size
 * (similarities once, then m · (m − 1) · nullSize random positions per dose of m sites). Also checks that the
 * two give the same report at 2,000 cells. Goal: < 3 s at 2,000 cells, and 20,000 in proportion. Writes
 * bench/results/dose_response.json.
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { doseResponse } from "../lib/profiling/dose_response.ts";
import { syntheticSiteCells } from "../lib/profiling/synthetic_sites.ts";
import { median } from "../lib/profiling/stats.ts";
import { doseResponseV1 } from "./reference/dose_response_v1.ts";

const NULL_SIZE = 10000, GOAL_S = 3;

function round(x: number, digits = 2): number {
  return Number(x.toFixed(digits));
}

function seconds<T>(f: () => T): [number, T] {
  const t = performance.now();
  const v = f();
  return [(performance.now() - t) / 1000, v];
}

/** Runs the benchmark, writes `bench/results/dose_response.json` and returns its numbers. */
export function main(): Record<string, unknown> {
  const cases = [];
  let identical: Record<string, unknown> = {};
  for (const n of [2000, 20000]) {
    const cells = syntheticSiteCells({ cells: n, seed: 1 });
    const sites = new Set(cells.rows.map((r) => `${r.plate}/${r.well}/${r.site}`)).size;
    const runs: number[] = [];
    let report = doseResponse(cells, { nullSize: NULL_SIZE });
    for (let r = 0; r < (n <= 2000 ? 3 : 1); r++) {
      const [s, v] = seconds(() => doseResponse(cells, { nullSize: NULL_SIZE }));
      runs.push(s);
      report = v;
    }
    const after = median(Float64Array.from(runs));
    let before: number, beforeMethod: string;
    if (n <= 2000) {
      const [s, old] = seconds(() => doseResponseV1(cells, { nullSize: NULL_SIZE }));
      before = s;
      beforeMethod = "timed";
      const doses = report.compounds.flatMap((c) => c.doses);
      const oldDoses = old.compounds.flatMap((c) => c.doses);
      const differing = doses.filter((x, i) => JSON.stringify(x) !== JSON.stringify(oldDoses[i]));
      identical = {
        cells: n,
        report_identical: JSON.stringify(report) === JSON.stringify(old),
        doses: doses.length,
        doses_differing: differing.map((x, i) => ({
          treatment: x.treatment,
          p: x.p,
          p_before: oldDoses[i].p,
        })),
      };
    } else {
      const [s20] = seconds(() => doseResponseV1(cells, { nullSize: 20 }));
      const [s40] = seconds(() => doseResponseV1(cells, { nullSize: 40 }));
      before = s20 + ((s40 - s20) / 20) * (NULL_SIZE - 20);
      beforeMethod = `extrapolated from null sizes 20 (${round(s20)} s) and 40 (${round(s40)} s)`;
    }
    const largest = Math.max(...report.compounds.flatMap((c) => c.doses.map((x) => x.sites)));
    cases.push({
      cells: n,
      sites,
      largest_dose_sites: largest,
      before_s: round(before, 1),
      before: beforeMethod,
      after_s: round(after),
      speedup: round(before / after, 0),
    });
    console.error(`${n} cells: ${round(before, 1)} s → ${round(after)} s`);
  }
  const out = {
    benchmark: "dose_response",
    date: new Date().toISOString(),
    machine: { cpus: navigator.hardwareConcurrency, os: Deno.build.os, deno: Deno.version.deno },
    what: "seconds per feature set (100 features), null size 10,000, moa-crops-shaped synthetic cells",
    goal: `< ${GOAL_S} s at 2,000 cells; 20,000 cells in proportion`,
    meets_goal: cases[0].after_s < GOAL_S && cases[1].after_s < 10 * GOAL_S,
    cases,
    identical,
  };
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  writeFileSync(
    new URL("./results/dose_response.json", import.meta.url),
    JSON.stringify(out, null, 2) + "\n",
  );
  return out;
}

if (import.meta.main) {
  console.log(JSON.stringify(main(), null, 2));
}
