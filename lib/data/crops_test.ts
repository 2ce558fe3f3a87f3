import assert from "node:assert/strict";
import { join } from "node:path";
import { encode as encodePng } from "fast-png";
import { channelSources, decodeCrop, readCropIndex, readCropSet } from "./crops.ts";
import { encodeNpy } from "./npy.ts";
import { formatCsv } from "./csv.ts";
import { haveSharedData, SHARED_DATA } from "./test_util.ts";

const haveCrops = haveSharedData("bbbc021/crops", "real crop-set test");

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// A 4×3 crop whose channel c at pixel i holds 100 * c + i.
function hwc<T extends Uint8Array | Uint16Array | Float32Array>(make: (n: number) => T): T {
  const d = make(4 * 3 * 3);
  for (let i = 0; i < 12; i++) for (let c = 0; c < 3; c++) d[i * 3 + c] = 60 * c + i;
  return d;
}

Deno.test("readCropSet reads .npy (uint8/uint16/float32) and .png crops, keeps extra columns", () =>
  withDir(async (dir) => {
    await Deno.mkdir(join(dir, "p1"));
    await Deno.writeFile(
      join(dir, "p1/a.npy"),
      encodeNpy({ dtype: "uint16", shape: [3, 4, 3], data: hwc((n) => new Uint16Array(n)) }),
    );
    await Deno.writeFile(
      join(dir, "p1/b.npy"),
      encodeNpy({ dtype: "float32", shape: [3, 4, 3], data: hwc((n) => new Float32Array(n)) }),
    );
    await Deno.writeFile(
      join(dir, "p1/c.npy"),
      encodeNpy({ dtype: "uint8", shape: [3, 4, 3], data: hwc((n) => new Uint8Array(n)) }),
    );
    await Deno.writeFile(
      join(dir, "p1/d.png"),
      encodePng({ width: 4, height: 3, channels: 3, data: hwc((n) => new Uint8Array(n)) }),
    );
    await Deno.writeTextFile(
      join(dir, "index.csv"),
      formatCsv(["file", "plate", "well", "compound", "concentration", "moa", "site"], [
        ["p1/a.npy", "P1", "B02", "DMSO", 0, "DMSO", "s1"],
        ["p1/b.npy", "P1", "B03", "taxol", 0.3, "Microtubule stabilizers", "s2"],
        ["p1/c.npy", "P1", "B04", "5-fluorouracil", 1, "", "s3"],
        ["p1/d.png", "P1", "B05", "DMSO", 0, "DMSO", "s4"],
      ]),
    );
    const set = await readCropSet(dir, {
      channelOrder: "dna-actin-tubulin",
      expectSize: { width: 4, height: 3 },
    });
    assert.equal(set.records.length, 4);
    assert.deepEqual(set.records[2], {
      file: "p1/c.npy",
      plate: "P1",
      well: "B04",
      compound: "5-fluorouracil",
      concentration: 1,
      moa: null,
      extra: { site: "s3" },
    });
    assert.deepEqual(set.images.map((i) => i.dtype), ["uint16", "float32", "uint8", "uint8"]);
    for (const img of set.images) {
      // pixel 5: DNA from channel 0, tubulin from channel 2, actin from channel 1
      assert.deepEqual([img.data[15], img.data[16], img.data[17]], [5, 125, 65]);
    }
    await assert.rejects(
      () => readCropSet(dir, { expectSize: { width: 96, height: 96 } }),
      /'.*p1\/a.npy': expected 96×96 pixels, found 4×3/,
    );
  }));

Deno.test("crop reader errors name the file", () =>
  withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "index.csv"), "file,plate,well,compound,moa\n");
    await assert.rejects(() => readCropIndex(dir), /index.csv': expected a column 'concentration'/);
    await Deno.writeTextFile(
      join(dir, "index.csv"),
      "file,plate,well,compound,concentration,moa\nx.npy,P,B02,c,1,m\n",
    );
    await assert.rejects(
      () => readCropIndex(dir),
      /index.csv' line 2: expected the file '.*x.npy', found none/,
    );
    await Deno.writeTextFile(
      join(dir, "index.csv"),
      "file,plate,well,compound,concentration,moa\nx.npy,P,B02,c,high,m\n",
    );
    await assert.rejects(
      () => readCropIndex(dir),
      /line 2: expected a non-negative number as the concentration, found 'high'/,
    );
    await assert.rejects(
      () => readCropIndex(join(dir, "nope")),
      /expected an index file '.*nope\/index.csv', found none/,
    );
    const gray = encodeNpy({ dtype: "uint8", shape: [2, 2], data: new Uint8Array(4) });
    assert.throws(
      () => decodeCrop(gray, "g.npy"),
      /'g.npy': expected an HWC array with 3 channels, found shape \(2, 2\)/,
    );
    const png16 = encodePng({ width: 2, height: 2, channels: 3, depth: 16, data: new Uint16Array(12) });
    assert.throws(
      () => decodeCrop(png16, "h.png"),
      /'h.png': expected an 8-bit RGB PNG, found 16-bit with 3 channels/,
    );
    assert.throws(() => decodeCrop(new Uint8Array([1, 2, 3]), "j.png"), /'j.png': not a readable PNG/);
    assert.throws(() => channelSources([0, 0, 1]), /expected .* a permutation of \[0, 1, 2\]/);
  }));

Deno.test({
  name: "reads the 2,878 real BBBC021 crops (68×68×3 uint16) with the DNA, actin, tubulin file order",
  ignore: !haveCrops,
  fn: async () => {
    const dir = join(SHARED_DATA, "bbbc021", "crops");
    const set = await readCropSet(dir, {
      channelOrder: "dna-actin-tubulin",
      expectSize: { width: 68, height: 68 },
    });
    assert.equal(set.records.length, 2878);
    const count = (f: (r: typeof set.records[0]) => boolean) => set.records.filter(f).length;
    assert.equal(count((r) => r.compound === "DMSO"), 2000);
    assert.equal(count((r) => r.moa === "Protein synthesis"), 878);
    assert.equal(count((r) => r.compound === "cyclohexamide" && r.concentration === 15), 388);
    assert.ok(
      set.records.every((r) => typeof r.extra.source_image_dapi === "string" && r.extra.site.startsWith("s")),
    );
    assert.ok(set.images.every((i) => i.dtype === "uint16" && i.data.length === 68 * 68 * 3));
    // The DNA channel is brightest at the crop centre (a nucleus), dim at the corners.
    let centre = 0, corner = 0;
    for (const img of set.images) {
      centre += img.data[(34 * 68 + 34) * 3];
      corner += img.data[(2 * 68 + 2) * 3];
    }
    assert.ok(centre > 2 * corner, `DNA centre ${centre} vs corner ${corner}`);
  },
});
