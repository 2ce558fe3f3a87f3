import assert from "node:assert/strict";
import { join } from "node:path";
import { BBBC021_PLATES, bbbc021DownloadList } from "./bbbc021_urls.ts";
import { readBbbc021Metadata } from "./bbbc021.ts";
import { haveSharedData, SHARED_DATA } from "./test_util.ts";

const haveMeta = haveSharedData("bbbc021/metadata", "BBBC021 plate-list cross-check");

Deno.test("bbbc021DownloadList: 2 metadata CSVs and 55 per-plate zips unpacked into WeekN", () => {
  const items = bbbc021DownloadList("/data");
  assert.equal(items.length, 57);
  assert.deepEqual(items[0], {
    url: "https://data.broadinstitute.org/bbbc/BBBC021/BBBC021_v1_image.csv",
    dest: "/data/BBBC021_v1_image.csv",
  });
  assert.equal(items[1].url, "https://data.broadinstitute.org/bbbc/BBBC021/BBBC021_v1_moa.csv");
  assert.deepEqual(items[2], {
    url: "https://data.broadinstitute.org/bbbc/BBBC021/BBBC021_v1_images_Week1_22123.zip",
    dest: "/data/archives/BBBC021_v1_images_Week1_22123.zip",
    unzipTo: "/data/Week1",
  });
  assert.equal(items.at(-1)!.unzipTo, "/data/Week10");
  assert.equal(new Set(items.map((i) => i.url)).size, 57);
  const some = bbbc021DownloadList("/d", {
    baseUrl: "http://127.0.0.1:1/",
    plates: ["Week4_27481"],
    metadata: false,
  });
  assert.deepEqual(some.map((i) => i.url), ["http://127.0.0.1:1/BBBC021_v1_images_Week4_27481.zip"]);
  assert.throws(() => bbbc021DownloadList("/d", { plates: ["22123"] }), /Invalid BBBC021 plate '22123'/);
  assert.throws(() => bbbc021DownloadList("/d", { baseUrl: "http://x" }), /expected it to end with '\/'/);
});

Deno.test({
  name: "BBBC021_PLATES equals the plates of the real image.csv",
  ignore: !haveMeta,
  fn: async () => {
    const meta = await readBbbc021Metadata(join(SHARED_DATA, "bbbc021/metadata"));
    assert.deepEqual([...new Set(meta.fields.map((f) => f.plate))].sort(), [...BBBC021_PLATES].sort());
    // Every field's folder is WeekN/<plate>, which is where the plate's zip unpacks.
    assert.ok(meta.fields.every((f) => f.files[0].startsWith(`${f.batch}/${f.plate}/`)));
  },
});
