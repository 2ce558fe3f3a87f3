import assert from "node:assert/strict";
import { syntheticSiteCells } from "./synthetic_sites.ts";

Deno.test("syntheticSiteCells: exact cells, moa-crops' proportions, scaled in proportion, seeded", () => {
  for (const cells of [2000, 20000]) {
    const t = syntheticSiteCells({ cells, features: 8, seed: 1 });
    assert.equal(t.rows.length, cells);
    assert.equal(t.data.length, cells * 8);
    const sites = new Map<string, string>();
    for (const r of t.rows) sites.set(`${r.plate}/${r.well}/${r.site}`, `${r.compound}@${r.concentration}`);
    const n = sites.size;
    assert.ok(Math.abs(cells / n - 1.87) < 0.05, `${cells / n} cells a site`);
    const count = (dose: string) => [...sites.values()].filter((v) => v === dose).length;
    assert.ok(Math.abs(count("DMSO@0") / n - 0.1) < 0.01);
    assert.ok(Math.abs(count("taxol@0.3") / n - 0.37) < 0.01);
    assert.equal(new Set(sites.values()).size, 2 + 102);
  }
  const a = syntheticSiteCells({ cells: 500, seed: 4 }), b = syntheticSiteCells({ cells: 500, seed: 4 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.data, syntheticSiteCells({ cells: 500, seed: 5 }).data);
  assert.throws(() => syntheticSiteCells({ cells: 10 }), /expected an integer number of cells ≥ 200, got 10/);
});
