import assert from "node:assert/strict";
import { syntheticCells } from "./synthetic.ts";

Deno.test("syntheticCells: shape, layout and determinism", () => {
  const t = syntheticCells({ cells: 2000, features: 8, seed: 4 });
  assert.equal(t.rows.length, 2000);
  assert.equal(t.data.length, 2000 * 8);
  assert.ok(t.data instanceof Float32Array);
  const plates = new Set(t.rows.map((r) => r.plate));
  assert.equal(plates.size, 30);
  const treatments = new Set(
    t.rows.filter((r) => r.compound !== "DMSO").map((r) => `${r.compound}@${r.concentration}`),
  );
  assert.equal(treatments.size, 108);
  for (const p of plates) assert.ok(t.rows.some((r) => r.plate === p && r.compound === "DMSO"));
  // every MOA spans at least two batches
  const moaBatches = new Map<string, Set<string>>();
  for (const r of t.rows) {
    if (r.moa !== "DMSO") moaBatches.set(r.moa!, (moaBatches.get(r.moa!) ?? new Set()).add(r.batch));
  }
  for (const s of moaBatches.values()) assert.ok(s.size >= 2);
  assert.deepEqual(
    syntheticCells({ cells: 50, features: 3, seed: 4 }).data,
    syntheticCells({ cells: 50, features: 3, seed: 4 }).data,
  );
});
