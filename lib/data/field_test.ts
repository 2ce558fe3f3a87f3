import assert from "node:assert/strict";
import { join } from "node:path";
import { interleaveField, loadField, loadFieldFiles } from "./field.ts";
import { encodeTiff, writeTiff } from "./tiff.ts";
import type { Bbbc021Field } from "./bbbc021.ts";
import { haveSharedData, SHARED_DATA } from "./test_util.ts";

const haveHuman = haveSharedData("example-human", "real field-loading test");

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function plane(w: number, h: number, k: number): Uint16Array {
  return Uint16Array.from({ length: w * h }, (_, i) => (i * k) % 4096);
}

Deno.test("loadField reads three channels in DNA, tubulin, actin order", () =>
  withDir(async (dir) => {
    const field: Bbbc021Field = {
      plate: "Week1_1",
      well: "B02",
      site: 1,
      compound: "DMSO",
      concentration: 0,
      moa: "DMSO",
      batch: "Week1",
      replicate: 1,
      files: ["Week1/Week1_1/a_w1.tif", "Week1/Week1_1/a_w2.tif", "Week1/Week1_1/a_w4.tif"],
    };
    await Deno.mkdir(join(dir, "Week1/Week1_1"), { recursive: true });
    for (let c = 0; c < 3; c++) {
      await writeTiff(join(dir, field.files[c]), { width: 8, height: 6, data: plane(8, 6, c + 1) });
    }
    const img = await loadField(dir, field, { expectSize: { width: 8, height: 6 } });
    assert.equal(img.bitDepth, 16);
    for (let c = 0; c < 3; c++) {
      assert.deepEqual(img.channels[c], plane(8, 6, c + 1));
    }
    const hwc = interleaveField(img);
    assert.equal(hwc[3 * 7 + 2], plane(8, 6, 3)[7]);

    await Deno.remove(join(dir, field.files[1]));
    await assert.rejects(
      () => loadField(dir, field),
      /Cannot load field Week1_1 B02 s1: expected 3 channel files, found 2; missing tubulin '.*a_w2.tif'/,
    );
    await Deno.writeFile(
      join(dir, field.files[1]),
      encodeTiff({ width: 8, height: 5, data: plane(8, 5, 1) }),
    );
    await assert.rejects(
      () => loadField(dir, field),
      /expected the tubulin file '.*a_w2.tif' to match the DNA file \(8×6/,
    );
    await assert.rejects(
      () => loadField(dir, field, { expectSize: { width: 1280, height: 1024 } }),
      /'.*a_w1.tif': expected 1280×1024 pixels, found 8×6/,
    );
    await Deno.writeTextFile(join(dir, field.files[2]), "not a tiff");
    await assert.rejects(
      () => loadField(dir, field),
      /Cannot read TIFF '.*a_w4.tif': expected a TIFF header/,
    );
  }));

Deno.test({
  name: "loadFieldFiles reads the real 8-bit example-human field (d0 = DNA)",
  ignore: !haveHuman,
  fn: async () => {
    const base = join(SHARED_DATA, "example-human", "AS_09125_050116030001_D03f00d");
    const img = await loadFieldFiles([`${base}0.tif`, `${base}1.tif`, `${base}2.tif`]);
    assert.equal(img.width, 512);
    assert.equal(img.bitDepth, 8);
    await assert.rejects(
      () => loadFieldFiles([`${base}0.tif`, `${base}1.tif`, `${base}2.tif`], { expectBitDepth: [16] }),
      /d0.tif': expected 16-bit unsigned integer pixels, found 8-bit/,
    );
  },
});
