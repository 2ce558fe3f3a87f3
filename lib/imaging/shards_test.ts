import assert from "node:assert/strict";
import { join } from "node:path";
import {
  decodeShard,
  encodeShard,
  formatCellTable,
  parseCellTable,
  readShard,
  type Shard,
  writeShard,
} from "./shards.ts";

const header = (dtype: "uint16" | "float32", n: number): Shard["header"] => ({
  dtype,
  shape: [n, 2, 2, 3],
  order: "NHWC",
  channels: ["DNA", "tubulin", "actin"],
  normalization: dtype === "uint16" ? "none" : "crop-max",
  plate: "P1",
});

Deno.test("shards round-trip uint16 and float32, data 16-byte aligned", async () => {
  const u = { header: header("uint16", 2), data: Uint16Array.from({ length: 24 }, (_, i) => i * 2000) };
  const bytes = encodeShard(u);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 8)), "MGCROPS1");
  assert.equal((bytes.length - 48) % 16, 0);
  const back = decodeShard(bytes);
  assert.deepEqual([...back.data], [...u.data]);
  assert.equal(back.header.plate, "P1");
  const dir = await Deno.makeTempDir();
  try {
    const f = { header: header("float32", 1), data: Float32Array.from({ length: 12 }, (_, i) => i / 6 - 1) };
    await writeShard(join(dir, "a", "x.crops"), f);
    const r = await readShard(join(dir, "a", "x.crops"));
    assert.ok(r.data instanceof Float32Array);
    assert.deepEqual([...r.data], [...f.data]);
    assert.deepEqual(
      [...Deno.readDirSync(join(dir, "a"))].map((e) => e.name),
      ["x.crops"],
      "no temporary left",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shard errors name the file and the problem", async () => {
  assert.throws(
    () => decodeShard(new TextEncoder().encode("NOTASHARD..."), "f.crops"),
    /'f.crops': expected the magic 'MGCROPS1'/,
  );
  const bytes = encodeShard({ header: header("uint16", 1), data: new Uint16Array(12) });
  assert.throws(
    () => decodeShard(bytes.subarray(0, bytes.length - 2), "t.crops"),
    /'t.crops': expected \d+ bytes/,
  );
  await assert.rejects(
    readShard("/nonexistent/x.crops"),
    /'\/nonexistent\/x.crops': the file does not exist/,
  );
  assert.throws(
    () => encodeShard({ header: header("uint16", 1), data: new Float32Array(12) }),
    /dtype 'uint16' does not match a Float32Array/,
  );
});

Deno.test("cell table round-trips, an empty MOA stays null, bad numbers name the line", () => {
  const row = {
    plate: "Week1_1",
    well: "B02",
    site: 1,
    compound: "taxol, x",
    concentration: 0.3,
    moa: null,
    batch: "Week1",
    shard: "shards/Week1_1/B02_s1.crops",
    index: 0,
    centroidX: 10.5,
    centroidY: 20.25,
    nucleusArea: 400,
    cellArea: 1500,
    eccentricity: 0.5,
    solidity: 0.95,
  };
  const text = formatCellTable([row]);
  assert.deepEqual(parseCellTable(text), [row]);
  assert.throws(
    () => parseCellTable(text.replace(",400,", ",x,"), "c.csv"),
    /'c.csv' line 2: expected a number in column 'nucleus_area'/,
  );
});
