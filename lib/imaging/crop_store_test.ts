import assert from "node:assert/strict";
import { join } from "node:path";
import { CELL_TABLE, readCrops } from "./crop_store.ts";
import { type CellRow, formatCellTable, writeShard } from "./shards.ts";

function row(shard: string, index: number, well: string): CellRow {
  return {
    plate: "P1",
    well,
    site: 1,
    compound: "DMSO",
    concentration: 0,
    moa: "DMSO",
    batch: "Week1",
    shard,
    index,
    centroidX: 1,
    centroidY: 2,
    nucleusArea: 3,
    cellArea: 4,
    eccentricity: 0.5,
    solidity: 0.9,
  };
}

async function store(): Promise<string> {
  const dir = await Deno.makeTempDir();
  const s = 2, per = s * s * 3;
  const a = new Uint16Array(3 * per).map((_, i) => i); // crops 0..2 of shard a
  const b = new Uint16Array(2 * per).map((_, i) => 1000 + i); // crops 0..1 of shard b
  const header = (n: number) => ({
    dtype: "uint16" as const,
    shape: [n, s, s, 3] as [number, number, number, number],
    order: "NHWC" as const,
    channels: ["DNA", "tubulin", "actin"] as ["DNA", "tubulin", "actin"],
    normalization: "none" as const,
  });
  await writeShard(join(dir, "shards/a.crops"), { header: header(3), data: a });
  await writeShard(join(dir, "shards/b.crops"), { header: header(2), data: b });
  const rows = [
    row("shards/b.crops", 1, "B02"),
    row("shards/a.crops", 0, "B03"),
    row("shards/a.crops", 2, "B04"),
  ];
  await Deno.writeTextFile(join(dir, CELL_TABLE), formatCellTable(rows));
  return dir;
}

Deno.test("readCrops loads every row's crop in table order, or a chosen subset", async () => {
  const dir = await store();
  const all = await readCrops(dir);
  assert.equal(all.size, 2);
  assert.equal(all.dtype, "uint16");
  assert.deepEqual(all.rows.map((r) => r.well), ["B02", "B03", "B04"]);
  assert.equal(all.data[0], 1000 + 12); // shard b, crop 1
  assert.equal(all.data[12], 0); // shard a, crop 0
  assert.equal(all.data[24], 24); // shard a, crop 2
  const some = await readCrops(dir, { indices: [2, 0] });
  assert.deepEqual(some.rows.map((r) => r.well), ["B04", "B02"]);
  assert.equal(some.data[0], 24);
  assert.equal(some.data[12], 1012);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readCrops names the shard when a row points past its end", async () => {
  const dir = await store();
  await Deno.writeTextFile(join(dir, CELL_TABLE), formatCellTable([row("shards/a.crops", 5, "B02")]));
  await assert.rejects(
    readCrops(dir),
    /Cannot read crop shard '.*a\.crops': cells.csv points at crop 5, the shard holds 3/,
  );
  await Deno.remove(dir, { recursive: true });
});
