import assert from "node:assert/strict";
import { join } from "node:path";
import { aggregateFeatureSet, cellProtocolFile } from "./aggregate_set.ts";
import { normalizeCells } from "./cell_normalize.ts";
import { writeFeatureSet } from "./feature_store.ts";
import { tableFromJson } from "./table_io.ts";
import type { AggregateRow } from "./types.ts";
import { assertClose, cellRows, features } from "./test_util.ts";

Deno.test("aggregateFeatureSet: wells, treatments, cell-level protocols and replicates, annotated cells only", async () => {
  const dir = await Deno.makeTempDir({ prefix: "morphogan-aggregate-set-" });
  try {
    const rows = cellRows(), d = 3, names = ["a", "b", "c"];
    await writeFeatureSet(join(dir, "in"), {
      kind: "lsgan",
      seed: 0,
      names,
      data: features(rows, d, 1),
      rows,
    });
    await writeFeatureSet(join(dir, "in", "replicates", "1"), {
      kind: "lsgan",
      seed: 1,
      names,
      data: features(rows, d, 2),
      rows,
    });
    const out = join(dir, "out");
    const protocols = [{ method: "zscore", center: "batch" }, {
      method: "whiten",
      center: "global",
    }] as const;
    const s = await aggregateFeatureSet(join(dir, "in"), out, {
      cellProtocols: protocols,
      minControls: 5,
      shrinkage: 0.3,
    });
    assert.deepEqual([s.cells, s.total, s.features, s.replicates], [36, 38, 3, [1]]);
    for (const folder of [out, join(out, "replicates", "1")]) {
      for (const f of ["wells_mean.json", "wells_median.json", "treatments_cells.json", "profile.json"]) {
        await Deno.stat(join(folder, f));
      }
      for (const p of protocols) await Deno.stat(join(folder, cellProtocolFile(p)));
    }
    assert.deepEqual(JSON.parse(await Deno.readTextFile(join(out, "replicates", "1", "profile.json"))), {
      kind: "lsgan",
      seed: 1,
      cells: 36,
      features: 3,
    });
    // The z-scored table is the mean per treatment of the cells normalizeCells gives.
    const read = async (f: string) => tableFromJson<AggregateRow>(await Deno.readTextFile(join(out, f)));
    const z = await read(cellProtocolFile(protocols[0]));
    assert.deepEqual(z.rows.map((r) => r.compound), ["AZ-C", "AZ138", "DMSO", "docetaxel", "taxol"]);
    const annotated = rows.filter((r) => r.moa !== null);
    const data = features(rows, d, 1).filter((_, k) => rows[Math.floor(k / d)].moa !== null);
    const cells = normalizeCells({ features: names, data, rows: annotated }, {
      method: "zscore",
      center: "batch",
    });
    const taxol = annotated.flatMap((r, i) => (r.compound === "taxol" ? [i] : []));
    for (let j = 0; j < d; j++) {
      const mean = taxol.reduce((a, i) => a + cells.table.data[i * d + j], 0) / taxol.length;
      assertClose(z.data[4 * d + j], mean, 1e-5, `taxol feature ${j}`);
    }
    // DMSO is centred per batch: its treatment mean is 0.
    for (let j = 0; j < d; j++) assertClose(z.data[2 * d + j], 0, 1e-5);
    const fits = JSON.parse(await Deno.readTextFile(join(out, "cell_normalization.json")));
    assert.equal(fits.protocols.zscore_batch.controls, 12);
    assert.deepEqual(fits.protocols.zscore_batch.groups.map((g: { usedLevel: string }) => g.usedLevel), [
      "batch",
      "batch",
    ]);
    // With one DMSO cell, the cell-level protocols do not apply: recorded, no table.
    const lone = rows.filter((r, i) => r.compound !== "DMSO" || i === 0);
    await writeFeatureSet(join(dir, "lone"), {
      kind: "x",
      names,
      data: features(lone, d, 3),
      rows: lone,
    });
    await aggregateFeatureSet(join(dir, "lone"), join(dir, "lone-out"), {
      cellProtocols: protocols,
      minControls: 5,
      shrinkage: 0.3,
    });
    const na = JSON.parse(await Deno.readTextFile(join(dir, "lone-out", "cell_normalization.json")));
    assert.match(na.protocols.zscore_batch.not_applicable, /1 DMSO cell\(s\)/);
    await assert.rejects(
      Deno.stat(join(dir, "lone-out", cellProtocolFile(protocols[0]))),
      Deno.errors.NotFound,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
