import assert from "node:assert/strict";
import { join } from "node:path";
import { cropSetToStore } from "../data/crop_set_store.ts";
import { haveSharedData, RAGGED_PLATES, SHARED_DATA, writeRaggedCropSet } from "../data/test_util.ts";
import { readCrops, readCropTable } from "./crop_store.ts";
import { normalizePlatePercentile } from "./normalize.ts";
import {
  normalizeStore,
  SCALING_FILE,
  type ScalingFile,
  STORE_NORMALIZATION_DEFAULTS,
} from "./normalize_store.ts";
import { readShard } from "./shards.ts";

Deno.test("normalizeStore: ragged plates take their own, their batch's or their own cells' scaling, recorded", async () => {
  const dir = await Deno.makeTempDir({ prefix: "morphogan-normalize-" });
  try {
    await writeRaggedCropSet(join(dir, "set"));
    await cropSetToStore(join(dir, "set"), join(dir, "raw"), { channelOrder: "dna-actin-tubulin" });
    const lines: string[] = [];
    await normalizeStore(join(dir, "raw"), join(dir, "norm"), STORE_NORMALIZATION_DEFAULTS, {
      log: (l) => lines.push(l),
    });
    const file = JSON.parse(await Deno.readTextFile(join(dir, "norm", SCALING_FILE))) as ScalingFile;
    assert.equal(file.minControlCells, 8);
    assert.deepEqual(file.plates.map((p) => [p.plate, p.batch, p.source, p.cells, p.plateDmsoCells]), [
      ["Week1_P1", "Week1", "plate-dmso", 10, 10],
      ["Week1_P2", "Week1", "batch-dmso", 11, 1],
      ["Week2_P3", "Week2", "plate-all", 6, 3],
      ["Week2_P4", "Week2", "plate-all", 5, 0],
    ]);
    assert.equal(file.plates.length, RAGGED_PLATES.length);
    assert.deepEqual(lines, [file.summary]);
    assert.match(
      file.summary,
      /4 plate\(s\): 1 from their own DMSO cells \(≥ 8\), 1 from their batch's DMSO/,
    );
    // Every shard is normalised by its plate's recorded scaling.
    const rows = await readCropTable(join(dir, "norm"));
    for (const shard of new Set(rows.map((r) => r.shard))) {
      const raw = await readShard(join(dir, "raw", shard));
      const norm = await readShard(join(dir, "norm", shard));
      const record = file.plates.find((p) => p.plate === raw.header.plate)!;
      assert.deepEqual(norm.data, normalizePlatePercentile(raw.data, record), shard);
    }
    // Week1_P2's one DMSO cell no longer spans [−1, 1] by itself: the batch's DMSO cells set its range.
    const p2 = file.plates[1], p1 = file.plates[0];
    assert.notDeepEqual(p2.hi, p1.hi);
    assert.ok(
      p2.hi.every((v, c) => v > p1.hi[c]),
      "P2's brighter DMSO cell (gain 1.6) raises the batch's top",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Fraction of crops with more than 5 % of their values clipped at 1. */
function clippedFraction(data: Float32Array, per: number): number {
  let clipped = 0;
  for (let k = 0; k < data.length / per; k++) {
    let n = 0;
    for (let i = k * per; i < (k + 1) * per; i++) if (data[i] >= 1) n++;
    if (n > 0.05 * per) clipped++;
  }
  return clipped / (data.length / per);
}

Deno.test({
  name: "normalizeStore on real moa-crops: every plate by its batch's 8–18 DMSO cells; fewer clipped cells",
  ignore: !haveSharedData("bbbc021/moa-crops", "the plate-scaling test on real moa-crops"),
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "morphogan-normalize-real-" });
    try {
      const set = join(SHARED_DATA, "bbbc021", "moa-crops");
      const store = await cropSetToStore(set, join(dir, "raw"), { channelOrder: "dna-actin-tubulin" });
      const options = { ...STORE_NORMALIZATION_DEFAULTS, size: 32 };
      await normalizeStore(join(dir, "raw"), join(dir, "new"), options);
      const file = JSON.parse(await Deno.readTextFile(join(dir, "new", SCALING_FILE))) as ScalingFile;
      assert.equal(file.plates.length, 55);
      assert.ok(file.plates.every((p) => p.source === "batch-dmso"), file.summary);
      const dmso = new Map<string, number>();
      for (const r of store.rows) if (r.compound === "DMSO") dmso.set(r.batch, (dmso.get(r.batch) ?? 0) + 1);
      for (const p of file.plates) {
        assert.equal(p.cells, dmso.get(p.batch), p.plate);
        assert.ok(p.cells >= 8 && p.cells <= 18 && p.plateDmsoCells <= 6, `${p.plate}: ${p.cells}`);
      }
      // The previous rule (any plate with a DMSO cell is scaled by its own) clips many more cells.
      await normalizeStore(join(dir, "raw"), join(dir, "old"), { ...options, minControlCells: 1 });
      const per = 32 * 32 * 3;
      const now = clippedFraction((await readCrops(join(dir, "new"))).data as Float32Array, per);
      const before = clippedFraction((await readCrops(join(dir, "old"))).data as Float32Array, per);
      assert.ok(now < before - 0.1, `cells > 5 % clipped: ${now} now, ${before} with one-cell scalings`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("normalizeStore headroom: the DMSO range fills 1/headroom of [−1, 1], brighter cells are not clipped", async () => {
  const dir = await Deno.makeTempDir({ prefix: "morphogan-normalize-headroom-" });
  try {
    await writeRaggedCropSet(join(dir, "set"));
    await cropSetToStore(join(dir, "set"), join(dir, "raw"), { channelOrder: "dna-actin-tubulin" });
    await normalizeStore(join(dir, "raw"), join(dir, "h1"), STORE_NORMALIZATION_DEFAULTS);
    await normalizeStore(join(dir, "raw"), join(dir, "h2"), { ...STORE_NORMALIZATION_DEFAULTS, headroom: 2 });
    const one = (await readCrops(join(dir, "h1"))).data as Float32Array;
    const two = (await readCrops(join(dir, "h2"))).data as Float32Array;
    const file = JSON.parse(await Deno.readTextFile(join(dir, "h2", SCALING_FILE))) as ScalingFile;
    assert.equal(file.headroom, 2);
    // Same percentiles, half the slope: an unclipped value v becomes (v + 1) / 2 − 1.
    let unclipped = 0;
    for (let i = 0; i < one.length; i++) {
      if (one[i] > -1 && one[i] < 1) {
        assert.ok(Math.abs(two[i] - ((one[i] + 1) / 2 - 1)) < 1e-5, `value ${i}`);
        unclipped++;
      }
    }
    assert.ok(unclipped > one.length / 2);
    const clipped = (x: Float32Array) => x.filter((v) => v >= 1).length;
    assert.ok(clipped(one) > 0 && clipped(two) < clipped(one) / 2, `${clipped(one)} → ${clipped(two)}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
