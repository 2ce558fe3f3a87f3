import assert from "node:assert/strict";
import { join } from "node:path";
import { readFeatureSet, writeFeatureSet } from "./feature_store.ts";
import type { CellRow } from "../imaging/shards.ts";

const row = (i: number): CellRow => ({
  plate: "Week1_1",
  well: `B0${i + 2}`,
  site: 1,
  compound: i ? "taxol" : "DMSO",
  concentration: i ? 3 : 0,
  moa: i ? "Microtubule stabilizers" : "DMSO",
  batch: "Week1",
  shard: "s.crops",
  index: i,
  centroidX: 1.5,
  centroidY: 2.5,
  nucleusArea: 10,
  cellArea: 20,
  eccentricity: 0.1,
  solidity: 0.9,
});

Deno.test("feature sets round-trip exactly; mismatches name the file", async () => {
  const dir = await Deno.makeTempDir();
  const set = {
    kind: "lsgan",
    names: ["f0", "f1", "f2"],
    data: new Float32Array([1, -2.5, 3e-8, 4, 5, NaN]),
    rows: [row(0), row(1)],
  };
  await writeFeatureSet(dir, set);
  const back = await readFeatureSet(dir);
  assert.equal(back.kind, "lsgan");
  assert.deepEqual(back.names, set.names);
  assert.deepEqual([...back.data].map(String), [...set.data].map(String));
  assert.deepEqual(back.rows, set.rows);
  await Deno.writeFile(join(dir, "features.f32"), new Uint8Array(8));
  await assert.rejects(readFeatureSet(dir), /features.json says 2 × 3, found 2 cells, 3 names and 2 values/);
  await assert.rejects(
    writeFeatureSet(dir, { ...set, names: ["a"] }),
    /2 cells × 1 features need 2 values, got 6/,
  );
  await Deno.remove(dir, { recursive: true });
});
