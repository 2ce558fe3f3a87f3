import assert from "node:assert/strict";
import { join } from "node:path";
import { readBbbc021Metadata } from "../data/bbbc021.ts";
import { resolveSyntheticOptions, synthesizeBbbc021 } from "../data/synthetic.ts";
import { encodeTiff } from "../data/tiff.ts";
import { segmentDataset, segmentPlate } from "./plate.ts";
import { readCellTable, readShard } from "./shards.ts";

Deno.test("segmentDataset: workers, shards, cell table, report with skipped fields, plate-percentile", async () => {
  const root = await Deno.makeTempDir({ prefix: "morphogan-segment-" });
  try {
    const data = join(root, "data");
    await synthesizeBbbc021(data, resolveSyntheticOptions({ seed: 5, masks: false }, "tiny"));
    const meta = await readBbbc021Metadata(data);
    // Damage three fields: a truncated TIFF, a blank DNA image, a saturated actin image.
    const [bad, blank, sat] = [meta.fields[1], meta.fields[2], meta.fields[3]];
    await Deno.writeFile(join(data, bad.files[0]), new Uint8Array([0x49, 0x49, 42, 0, 8, 0, 0, 0, 1]));
    const n = 256 * 256;
    await Deno.writeFile(
      join(data, blank.files[0]),
      encodeTiff({ width: 256, height: 256, data: new Uint16Array(n).fill(1600) }),
    );
    await Deno.writeFile(
      join(data, sat.files[2]),
      encodeTiff({ width: 256, height: 256, data: new Uint16Array(n).fill(65535) }),
    );
    let progress = 0;
    const out2 = join(root, "out2");
    const summary = await segmentDataset(data, out2, {
      jobs: 2,
      cropSize: 32,
      normalization: "plate-percentile",
      onProgress: () => progress++,
    });
    assert.equal(progress, meta.fields.length);
    assert.equal(summary.fields, meta.fields.length);
    assert.deepEqual(
      { ...summary.statuses },
      { ok: meta.fields.length - 3, "decode-error": 1, blank: 1, saturated: 1 },
    );
    const report = JSON.parse(await Deno.readTextFile(join(out2, "report.json")));
    const badReport = report.fields.find((r: { well: string; plate: string }) =>
      r.well === bad.well && r.plate === bad.plate
    );
    assert.equal(badReport.status, "decode-error");
    assert.match(badReport.message, /Cannot read TIFF/);
    const rows = await readCellTable(join(out2, "cells.csv"));
    assert.equal(rows.length, summary.crops);
    assert.ok(rows.length > 50, `${rows.length} crops`);
    const shard = await readShard(join(out2, rows[0].shard));
    assert.equal(shard.header.dtype, "float32");
    assert.equal(shard.header.normalization, "plate-percentile");
    assert.deepEqual(shard.header.shape.slice(1), [32, 32, 3]);
    assert.ok(shard.data.every((v) => v >= -1 && v <= 1));
    const plates = JSON.parse(await Deno.readTextFile(join(out2, "plates.json")));
    const p0 = plates[meta.fields[0].plate];
    assert.equal(p0.scaling.source, "dmso");
    assert.ok(p0.illuminationMax.every((v: number) => v >= 1));
    // The same run in this thread (no worker) gives the same table.
    const out1 = join(root, "out1");
    await segmentDataset(data, out1, { jobs: 1, cropSize: 32, normalization: "plate-percentile" });
    assert.equal(
      await Deno.readTextFile(join(out1, "cells.csv")),
      await Deno.readTextFile(join(out2, "cells.csv")),
    );
    // Raw crops without illumination correction, masked outside the cell.
    const out3 = join(root, "out3");
    const s3 = await segmentDataset(data, out3, {
      cropSize: 32,
      illumination: false,
      maskOutsideCell: true,
      maxFields: 1,
    });
    assert.equal(s3.fields, 1);
    const one = await segmentPlate(data, join(root, "out4"), meta.fields.at(-1)!.plate, {
      cropSize: 32,
      maxFields: 2,
    });
    assert.deepEqual([one.plates, one.fields], [1, 2]);
    await assert.rejects(
      segmentPlate(data, join(root, "out5"), "Week9_nope"),
      /plate 'Week9_nope' not in '.*BBBC021_v1_image.csv' \(it has 2 plates/,
    );
    const raw = await readShard(join(out3, (await readCellTable(join(out3, "cells.csv")))[0].shard));
    assert.equal(raw.header.dtype, "uint16");
    assert.ok(raw.data.some((v) => v === 0), "masked pixels");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("segmentDataset rejects an unknown normalisation and a missing dataset", async () => {
  await assert.rejects(
    segmentDataset("/nonexistent", "/tmp/x", { normalization: "zscore" as never }),
    /unknown normalization 'zscore'/,
  );
  await assert.rejects(segmentDataset("/nonexistent-morphogan", "/tmp/x"), /nonexistent-morphogan/);
});

Deno.test("segmentDataset on a folder holding part of the table: absent fields counted, a missing channel reported", async () => {
  const root = await Deno.makeTempDir({ prefix: "morphogan-partial-" });
  try {
    const data = join(root, "data");
    await synthesizeBbbc021(
      data,
      resolveSyntheticOptions({ seed: 7, masks: false, width: 128, height: 128 }, "tiny"),
    );
    const meta = await readBbbc021Metadata(data);
    const plate = meta.fields[0].plate;
    const fields = meta.fields.filter((f) => f.plate === plate);
    // Only the first plate's first four fields are there, the second without its tubulin file.
    for (const f of meta.fields.filter((f) => !fields.slice(0, 4).includes(f))) {
      for (const file of f.files) await Deno.remove(join(data, file));
    }
    await Deno.remove(join(data, fields[1].files[1]));
    let plan;
    let progress = 0;
    const summary = await segmentDataset(data, join(root, "out"), {
      cropSize: 16,
      diameter: 12,
      onStart: (p) => plan = p,
      onProgress: () => progress++,
    });
    assert.deepEqual(plan, {
      listed: meta.fields.length,
      fields: 4,
      incomplete: 1,
      absent: meta.fields.length - 4,
      plates: 1,
      uncorrected: [{ plate, fields: 3 }],
      minIlluminationFields: 5,
      imageRoot: data,
    });
    assert.equal(progress, 4);
    assert.deepEqual([summary.fields, summary.absent, summary.plates], [4, meta.fields.length - 4, 1]);
    assert.equal(summary.statuses["missing-file"], 1);
    const report = JSON.parse(await Deno.readTextFile(join(root, "out", "report.json")));
    assert.deepEqual(
      report.fields.map((r: { well: string }) => r.well),
      fields.slice(0, 4).map((f) => f.well),
    );
    assert.equal(
      report.fields[1].message,
      `no tubulin file '${fields[1].files[1]}' (DNA and actin are present)`,
    );
    const plates = JSON.parse(await Deno.readTextFile(join(root, "out", "plates.json")));
    assert.deepEqual(
      [plates[plate].absent, plates[plate].illuminationFields, plates[plate].illuminationMax],
      [fields.length - 4, 0, null],
    );
    // A folder with none of the files is a clear error, not a run of skipped fields.
    await assert.rejects(
      segmentDataset(data, join(root, "out2"), { imageRoot: join(root, "empty") }),
      /none of the \d+ fields of '.*BBBC021_v1_image.csv' has a file under '.*empty' \(e\.g\. expected '.*empty\/Week/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
