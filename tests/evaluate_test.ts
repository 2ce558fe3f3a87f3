/**
 * The `evaluate` task on data where a protocol cannot apply: one DMSO well per plate gives a control MAD of
 * 0, so per-plate robust z-scores scale every feature by 1/ε, feature selection's outlier cut then removes
 * them all, and `wells-*∕robustize+select` cannot be evaluated. The task must record that protocol as not
 * applicable, with the reason, evaluate the rest and never pick it as the best. On synthetic cells (always)
 * and on the real BBBC021 moa-crops layout (0–6 DMSO cells a plate; skipped without ../shared/data).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { evaluate } from "../tasks/evaluate.ts";
import { FEATURE_SETS } from "../tasks/aggregate.ts";
import { resolveParams } from "../workflow/params.ts";
import { aggregate } from "../lib/profiling/aggregate.ts";
import { syntheticCells } from "../lib/profiling/synthetic.ts";
import { tableToJson } from "../lib/profiling/table_io.ts";
import type { ProfileRow, ProfileTable } from "../lib/profiling/types.ts";
import { channelStatsOfCropSet, haveSharedData, SHARED_DATA } from "../lib/data/test_util.ts";

/** Writes what `aggregate` writes, the same cells standing for all five feature sets. */
async function writeProfiles(dir: string, cells: ProfileTable<ProfileRow>): Promise<void> {
  for (const set of FEATURE_SETS) {
    await Deno.mkdir(join(dir, set), { recursive: true });
    for (const method of ["mean", "median"] as const) {
      await Deno.writeTextFile(
        join(dir, set, `wells_${method}.json`),
        tableToJson(aggregate(cells, { by: "well", method })),
      );
    }
    await Deno.writeTextFile(
      join(dir, set, "treatments_cells.json"),
      tableToJson(aggregate(cells, { by: "treatment", method: "mean" })),
    );
  }
}

interface Entry {
  summary?: { nsc_per_compound: number };
  report?: unknown;
  not_applicable?: string;
}

/** Runs the task on `cells`; returns evaluation.json, table1.json and the warnings logged. */
async function runEvaluate(cells: ProfileTable<ProfileRow>) {
  const tmp = await Deno.makeTempDir({ prefix: "morphogan-evaluate-" });
  try {
    await writeProfiles(join(tmp, "profiles"), cells);
    const out = join(tmp, "out");
    await Deno.mkdir(out);
    const warnings: string[] = [];
    await evaluate.run({
      name: "evaluate",
      key: "test",
      params: resolveParams("evaluate", evaluate.params, [{
        source: "test",
        values: { mapNull: 100 },
      }]) as never,
      inputs: { profiles: join(tmp, "profiles") },
      out,
      checkpoint: join(tmp, "checkpoint"),
      root: tmp,
      log: { debug() {}, info() {}, warn: (m: string) => warnings.push(m) },
      progress: { start() {}, tick() {}, set() {}, note() {} },
      signal: new AbortController().signal,
      settings: { jobs: 1, backend: "cpu", logLevel: "info" },
      threads: 1,
      record() {},
    });
    const evaluation = JSON.parse(await Deno.readTextFile(join(out, "evaluation.json"))) as Record<
      string,
      Record<string, Entry>
    >;
    const table1 = JSON.parse(await Deno.readTextFile(join(out, "table1.json")));
    return { evaluation, table1, warnings };
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/** The checks common to both data: n/a protocols recorded with a reason, the rest evaluated, best applicable. */
function assertNotApplicableHandled(
  r: Awaited<ReturnType<typeof runEvaluate>>,
  features: number,
): void {
  for (const set of FEATURE_SETS) {
    const protocols = r.evaluation[set];
    assert.equal(Object.keys(protocols).length, 13, set);
    for (const agg of ["mean", "median"]) {
      const na = protocols[`wells-${agg}/robustize+select`];
      assert.equal(na.summary, undefined);
      assert.match(
        na.not_applicable ?? "",
        new RegExp(
          `^featureSelect: every one of the ${features} features was excluded \\(.*drop_outliers ${features}.*` +
            `control MAD of 0`,
        ),
      );
    }
    const evaluated = Object.entries(protocols).filter(([, e]) => e.summary);
    assert.equal(evaluated.length, 11, set);
    for (const [name, e] of evaluated) {
      assert.ok(e.report, `${set} ${name}`);
      assert.ok(e.summary!.nsc_per_compound >= 0 && e.summary!.nsc_per_compound <= 1, `${set} ${name}`);
    }
    const row = r.table1.rows.find((x: { set: string | null }) => x.set === set);
    assert.ok(!row.best.protocol.includes("robustize+select"), row.best.protocol);
    assert.equal(
      row.best.nsc_per_compound,
      Math.max(...evaluated.map(([, e]) => e.summary!.nsc_per_compound)),
    );
    assert.equal(row.ours.protocol, "cells-mean");
  }
  // One warning per feature set names its protocols that do not apply.
  const warned = r.warnings.filter((w) => / protocol\(s\) not applicable: /.test(w));
  assert.equal(warned.length, FEATURE_SETS.length);
  for (const w of warned) assert.match(w, /wells-mean\/robustize\+select, wells-median\/robustize\+select/);
}

Deno.test("evaluate task: one DMSO well a plate → robustize+select is not applicable, the rest evaluated", async () => {
  const cells = syntheticCells({ cells: 3000, features: 12, controlWells: 1, seed: 4 });
  assertNotApplicableHandled(await runEvaluate(cells), 12);
});

const MOA_CROPS = join(SHARED_DATA, "bbbc021", "moa-crops");

Deno.test({
  name: "evaluate task: real BBBC021 moa-crops (0–6 DMSO cells a plate) — the other protocols are evaluated",
  ignore: !haveSharedData("bbbc021/moa-crops", "the evaluate test on real moa-crops"),
  fn: async () => {
    // Per-cell features of the real crops: mean, standard deviation and 90th percentile of each channel, as
    // fractions of the 16-bit range.
    const { records, names, data } = await channelStatsOfCropSet(MOA_CROPS);
    const cells: ProfileTable<ProfileRow> = {
      features: names,
      data,
      rows: records.map((r) => ({
        plate: r.plate,
        well: r.well,
        batch: /^(Week\d+)_/.exec(r.plate)![1],
        compound: r.compound,
        concentration: r.concentration,
        moa: r.moa,
      })),
    };
    assertNotApplicableHandled(await runEvaluate(cells), names.length);
  },
});
