import assert from "node:assert/strict";
import { join } from "node:path";
import { aggregateFeatureSet } from "./aggregate_set.ts";
import { evaluateTreatments } from "./evaluate.ts";
import { type Evaluated, evaluateSets, nscUndefinedReason, table1 } from "./evaluate_sets.ts";
import { writeFeatureSet } from "./feature_store.ts";
import { tableFromJson } from "./table_io.ts";
import { assertClose, cellRows, features } from "./test_util.ts";
import type { AggregateRow } from "./types.ts";

const OPTIONS = {
  normalizations: ["none", "robustize"] as const,
  aggregations: ["mean"] as const,
  select: true,
  evaluate: { nullSize: 100, seed: 0 },
};

/** An aggregate output with sets `lsgan` (seeds 0, 1, 2) and `random` (seeds 0, 1, 2), noisy features. */
async function aggregateDir(dir: string): Promise<string> {
  const rows = cellRows(), d = 4, names = ["a", "b", "c", "d"];
  const profiles = join(dir, "profiles");
  for (const [set, noise] of [["lsgan", 3], ["random", 8]] as const) {
    for (const seed of [0, 1, 2]) {
      const folder = seed === 0 ? join(dir, set) : join(dir, set, "replicates", String(seed));
      const data = features(rows, d, 10 * seed + noise, noise);
      await writeFeatureSet(folder, { kind: set, seed, names, data, rows });
      // LSGAN's symmetric view: less noisy features of the same cells.
      if (set === "lsgan") {
        const sym = features(rows, d, 10 * seed + noise, noise / 3);
        await writeFeatureSet(join(folder, "sym8"), { kind: set, seed, names, data: sym, rows });
      }
    }
    await aggregateFeatureSet(join(dir, set), join(profiles, set), {
      cellProtocols: [{ method: "zscore", center: "batch" }],
      minControls: 5,
      shrinkage: 0.3,
    });
  }
  return profiles;
}

Deno.test("evaluateSets: every protocol per seed, mean and sd over seeds; Table 1 with the control", async () => {
  const dir = await Deno.makeTempDir({ prefix: "morphogan-evaluate-sets-" });
  try {
    const profiles = await aggregateDir(dir);
    assert.equal(await nscUndefinedReason(profiles, "lsgan"), null);
    const results = await evaluateSets(profiles, ["lsgan", "random"], OPTIONS);
    const protocols = [
      "cells-mean",
      "cells-zscore/batch",
      "wells-mean/none",
      "wells-mean/none+select",
      "wells-mean/robustize",
      "wells-mean/robustize+select",
    ];
    assert.deepEqual(Object.keys(results.lsgan), [...protocols, ...protocols.map((p) => `sym8:${p}`)]);
    assert.deepEqual(Object.keys(results.random), protocols);
    // Each seed's numbers are its own evaluation; the summary is their mean, sd their spread.
    const e = results.lsgan["cells-zscore/batch"] as Evaluated;
    assert.deepEqual(e.seeds.map((s) => s.seed), [0, 1, 2]);
    const nsc = [];
    for (const [k, seed] of [0, 1, 2].entries()) {
      const folder = seed === 0
        ? join(profiles, "lsgan")
        : join(profiles, "lsgan", "replicates", String(seed));
      const file = join(folder, "treatments_cells_zscore_batch.json");
      const r = evaluateTreatments(
        tableFromJson<AggregateRow>(await Deno.readTextFile(file)),
        OPTIONS.evaluate,
      );
      assert.equal(e.seeds[k].nsc_per_compound, r.nsc.per_compound);
      assert.equal(e.seeds[k].map, r.map.map);
      nsc.push(r.nsc.per_compound);
    }
    const mean = nsc.reduce((a, b) => a + b) / 3;
    assertClose(e.summary.nsc_per_compound, mean, 1e-12);
    assertClose(e.sd.nsc_per_compound!, Math.sqrt(nsc.reduce((a, b) => a + (b - mean) ** 2, 0) / 2), 1e-12);
    // Batch-centred z-scores remove the batch offset the raw means keep.
    const raw = results.lsgan["cells-mean"] as Evaluated;
    assert.ok(e.summary.nsc_per_compound >= raw.summary.nsc_per_compound);

    const t = table1(results, ["lsgan", "random"], null);
    const lsgan = t.rows[0];
    assert.equal(lsgan.ours!.protocol, "cells-mean");
    assert.equal(lsgan.ours!.n_seeds, 3);
    const best = Object.entries(results.lsgan).filter((x): x is [string, Evaluated] => "summary" in x[1])
      .sort((a, b) => b[1].summary.nsc_per_compound - a[1].summary.nsc_per_compound)[0];
    assert.equal(lsgan.best!.protocol, best[0]);
    assert.equal(lsgan.best!.nsc_per_compound, best[1].summary.nsc_per_compound);
    // The control row of a GAN: the untrained set under the GAN's best protocol.
    assert.equal(lsgan.control!.protocol, lsgan.best!.protocol);
    assert.equal(
      lsgan.control!.nsc_per_compound,
      (results.random[lsgan.best!.protocol] as Evaluated).summary.nsc_per_compound,
    );
    assert.equal(t.rows[1].control, null);
    assert.ok(t.rows.some((r) => r.set === null && r.paper?.method === "VAE"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("evaluateSets: a protocol that does not apply is recorded with its reason and never the best", async () => {
  const dir = await Deno.makeTempDir({ prefix: "morphogan-evaluate-sets-na-" });
  try {
    const profiles = await aggregateDir(dir);
    // Seed 2's robust z-score cannot apply: its wells have one DMSO well per plate with identical values.
    const r = await evaluateSets(profiles, ["lsgan"], OPTIONS);
    const na = Object.entries(r.lsgan).filter(([, v]) => "not_applicable" in v).map(([k]) => k);
    // With one DMSO well a plate, MAD is 0: robustize+select removes every feature, in every seed.
    assert.deepEqual(na, ["wells-mean/robustize+select", "sym8:wells-mean/robustize+select"]);
    assert.match((r.lsgan["wells-mean/robustize+select"] as { not_applicable: string }).not_applicable, /.+/);
    const t = table1(r, ["lsgan"], null);
    assert.notEqual(t.rows[0].best!.protocol, "wells-mean/robustize+select");
    const none = table1(r, ["lsgan"], "NSC needs 2 compounds");
    assert.equal(none.rows[0].ours, null);
    assert.equal(none.undefinedReason, "NSC needs 2 compounds");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
