/**
 * `segment` on a folder that already holds part of BBBC021, through the real CLI as a user runs it: the
 * `paper` profile with `fetch_bbbc021.download=false` (the folder is used as it is), `--until segment`, in a
 * temporary cache. On the real fields in `../shared/data/bbbc021/fields` (skipped when absent) and on a
 * synthetic BBBC021-format folder with a field missing its actin file and fields with no files at all.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readBbbc021Metadata } from "../lib/data/bbbc021.ts";
import { resolveSyntheticOptions, synthesizeBbbc021 } from "../lib/data/synthetic.ts";
import { BBBC021_FIELDS, BBBC021_METADATA, haveSharedData } from "../lib/data/test_util.ts";
import { readCellTable, readShard } from "../lib/imaging/shards.ts";

const ROOT = new URL("..", import.meta.url).pathname;

interface Run {
  code: number;
  /** stdout and stderr together. */
  output: string;
}

/** `deno task reproduce --profile paper --until segment` with `download=false` on `dataDir`. */
async function reproduce(
  cache: string,
  dataDir: string,
  params: string[] = [],
  more: string[] = ["--jobs", "2"],
): Promise<Run> {
  const args = [
    "run",
    "-A",
    "--quiet",
    join(ROOT, "tasks/pipeline.ts"),
    "reproduce",
    "--profile",
    "paper",
    "--until",
    "segment",
    "--cache",
    cache,
    "--results",
    join(cache, "..", "results"),
    "--param",
    `fetch_bbbc021.dataDir=${dataDir}`,
    "--param",
    "fetch_bbbc021.download=false",
    ...params.flatMap((p) => ["--param", p]),
    ...more,
  ];
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { CI: "1", NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, output: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

/** The `segment` artifact of the last run in `cache`, and its manifest. */
async function segmentOutput(cache: string): Promise<{ dir: string; digest: string }> {
  const record = JSON.parse(await Deno.readTextFile(join(cache, "runs", "paper.json")));
  const dir = join(cache, "objects", record.tasks.segment.key);
  return { dir, digest: record.tasks.segment.outputDigest };
}

interface FieldReport {
  plate: string;
  well: string;
  site: number;
  status: string;
  message: string;
  nuclei: number;
  crops: number;
}

const lines = (output: string, re: RegExp) => output.split("\n").filter((l) => re.test(l));

Deno.test({
  name: "segment on the real BBBC021 fields (Week2_24381 B02): sites 1 and 2 give cells, site 3 is skipped",
  ignore: !haveSharedData("bbbc021/fields", "segment on the real BBBC021 fields"),
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "morphogan-fields-" });
    try {
      const cache = join(tmp, "cache");
      const params = [`fetch_bbbc021.metadataDir=${BBBC021_METADATA}`];
      const r = await reproduce(cache, BBBC021_FIELDS, params);
      assert.equal(r.code, 0, r.output);
      // One line for the 54 plates not there, one for the 237 fields of Week2_24381 not there, one for the
      // plate too thin for an illumination function, and one for site 3, naming its missing actin file.
      assert.match(r.output, /1 of 55 plates \(Week2_24381\)/);
      assert.equal(lines(r.output, /fields listed have no files/).length, 1, r.output);
      assert.match(r.output, /237 of 240 fields listed have no files under .*bbbc021\/fields: not attempted/);
      assert.match(r.output, /no illumination correction .*: Week2_24381 \(2\)/);
      const skips = lines(r.output, /skipped field/);
      assert.equal(skips.length, 1, r.output);
      assert.match(
        skips[0],
        /skipped field Week2_24381 B02 s3 \(missing-file\): no actin file 'Week2\/Week2_24381\/Week2_180607_B02_s3_w4A901377A-7EC0-4DC9-AB1F-2BF6FAAE3042\.tif' \(DNA and tubulin are present\)/,
      );

      const { dir, digest } = await segmentOutput(cache);
      const report = JSON.parse(await Deno.readTextFile(join(dir, "report.json")));
      assert.equal(report.summary.fields, 3);
      assert.equal(report.summary.absent, 237);
      assert.deepEqual(report.summary.statuses, { ok: 2, "missing-file": 1 });
      const [s1, s2, s3] = report.fields as FieldReport[];
      // Counted by eye on the overlays (lib/imaging/make_bbbc021_overlay.ts): about 180 nuclei on site 1 and
      // 160 on site 2, edge cells included; the segmentation finds 177 and 157. Crops drop the cells whose
      // 96-px window leaves the field.
      assert.ok(s1.status === "ok" && s1.nuclei >= 160 && s1.nuclei <= 195, `site 1: ${JSON.stringify(s1)}`);
      assert.ok(s2.status === "ok" && s2.nuclei >= 140 && s2.nuclei <= 175, `site 2: ${JSON.stringify(s2)}`);
      for (const s of [s1, s2]) {
        assert.ok(s.crops >= 0.7 * s.nuclei && s.crops <= s.nuclei, JSON.stringify(s));
      }
      assert.equal(s3.status, "missing-file");
      assert.match(s3.message, /^no actin file 'Week2\/Week2_24381\/Week2_180607_B02_s3_w4A901377A-.*\.tif'/);

      const rows = await readCellTable(join(dir, "cells.csv"));
      assert.equal(rows.length, s1.crops + s2.crops);
      assert.deepEqual([...new Set(rows.map((r) => r.site))], [1, 2]);
      assert.ok(rows.every((r) => r.plate === "Week2_24381" && r.well === "B02" && r.compound === "DMSO"));
      for (const site of [1, 2]) {
        const shard = await readShard(join(dir, "shards", "Week2_24381", `B02_s${site}.crops`));
        const n = site === 1 ? s1.crops : s2.crops;
        assert.deepEqual(shard.header.shape, [n, 96, 96, 3]);
        assert.equal(shard.header.dtype, "uint16");
        assert.deepEqual(shard.header.channels, ["DNA", "tubulin", "actin"]);
        assert.equal(shard.header.illuminationCorrected, false);
        assert.equal(shard.data.length, n * 96 * 96 * 3);
        // Real 16-bit data (12-bit camera), masked outside each cell as the paper profile asks.
        let max = 0;
        for (const v of shard.data) if (v > max) max = v;
        assert.ok(max > 1000 && max < 65536, `max ${max}`);
        assert.ok(shard.data.some((v) => v === 0));
      }
      const plates = JSON.parse(await Deno.readTextFile(join(dir, "plates.json")));
      assert.deepEqual(
        [plates.Week2_24381.fields, plates.Week2_24381.absent, plates.Week2_24381.illuminationFields],
        [3, 237, 0],
      );

      // Deterministic: a forced rerun on one worker writes the same bytes.
      const again = await reproduce(cache, BBBC021_FIELDS, params, ["--jobs", "1", "--force", "segment"]);
      assert.equal(again.code, 0, again.output);
      assert.match(again.output, /segment\s+ran/);
      assert.equal((await segmentOutput(cache)).digest, digest);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test("segment on a folder holding part of a synthetic BBBC021-format dataset: one line for the field missing its actin file, one for the absent fields, the rest kept", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "morphogan-partial-" });
  try {
    const data = join(tmp, "data");
    await synthesizeBbbc021(data, resolveSyntheticOptions({ seed: 3, masks: false }, "tiny"));
    const meta = await readBbbc021Metadata(data);
    const [plate, other] = [...new Set(meta.fields.map((f) => f.plate))];
    const fields = meta.fields.filter((f) => f.plate === plate);
    // The second plate's folder is not there; on the first, one field lacks its actin file and two have none.
    await Deno.remove(join(data, meta.fields.find((f) => f.plate === other)!.files[0], ".."), {
      recursive: true,
    });
    const [cut, gone1, gone2] = [fields[1], fields[4], fields[7]];
    await Deno.remove(join(data, cut.files[2]));
    for (const f of [gone1, gone2]) for (const file of f.files) await Deno.remove(join(data, file));

    const cache = join(tmp, "cache");
    const params = ["segment.cropSize=32", "segment.diameter=25", "segment.splitDepth=0"];
    const r = await reproduce(cache, data, params);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, new RegExp(`1 of 2 plates \\(${plate}\\)`));
    const absent = lines(r.output, /fields listed have no files/);
    assert.equal(absent.length, 1, r.output);
    assert.match(
      absent[0],
      new RegExp(
        `2 of ${fields.length} fields listed have no files under ${data}: not attempted; ${
          fields.length - 2
        } fields \\(1 plate\\) to segment`,
      ),
    );
    const skips = lines(r.output, /skipped field/);
    assert.equal(skips.length, 1, r.output);
    assert.ok(
      skips[0].endsWith(
        `skipped field ${cut.plate} ${cut.well} s${cut.site} (missing-file): no actin file '${
          cut.files[2]
        }' (DNA and tubulin are present)`,
      ),
      skips[0],
    );
    assert.doesNotMatch(r.output, /no illumination correction/);

    const { dir } = await segmentOutput(cache);
    const report = JSON.parse(await Deno.readTextFile(join(dir, "report.json")));
    const complete = fields.filter((f) => ![cut, gone1, gone2].includes(f));
    assert.equal(report.summary.fields, fields.length - 2);
    assert.equal(report.summary.absent, 2);
    assert.deepEqual(report.summary.statuses, { ok: complete.length, "missing-file": 1 });
    const reported = (report.fields as FieldReport[]).map((f) => `${f.well} s${f.site} ${f.status}`);
    assert.deepEqual(
      reported,
      fields.filter((f) => f !== gone1 && f !== gone2).map((f) =>
        `${f.well} s${f.site} ${f === cut ? "missing-file" : "ok"}`
      ),
    );
    // The other fields are kept, each with its crops; the plate is illumination-corrected from the complete ones.
    const rows = await readCellTable(join(dir, "cells.csv"));
    assert.deepEqual(
      [...new Set(rows.map((r) => `${r.well} s${r.site}`))].sort(),
      complete.map((f) => `${f.well} s${f.site}`).sort(),
    );
    const plates = JSON.parse(await Deno.readTextFile(join(dir, "plates.json")));
    assert.deepEqual(Object.keys(plates), [plate]);
    assert.equal(plates[plate].absent, 2);
    assert.equal(plates[plate].illuminationFields, complete.length);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
