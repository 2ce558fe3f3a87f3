import assert from "node:assert/strict";
import { join } from "node:path";
import { decodeTiff, encodeTiff, readTiff, writeTiff } from "./tiff.ts";
import { haveSharedData, SHARED_DATA } from "./test_util.ts";

const haveHuman = haveSharedData("example-human", "real 8-bit TIFF test");

function ramp(w: number, h: number): Uint16Array {
  const d = new Uint16Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = (i * 2654435761) % 65536;
  return d;
}

Deno.test("encodeTiff/decodeTiff round-trip 16-bit, 8-bit and deflate", () => {
  const data = ramp(37, 23);
  const img = decodeTiff(encodeTiff({ width: 37, height: 23, data }));
  assert.equal(img.width, 37);
  assert.equal(img.height, 23);
  assert.equal(img.bitDepth, 16);
  assert.deepEqual(img.data, data);
  const z = decodeTiff(encodeTiff({ width: 37, height: 23, data }, { compression: "deflate" }));
  assert.deepEqual(z.data, data);
  const small = data.map((v) => v & 255);
  const b = decodeTiff(encodeTiff({ width: 37, height: 23, data: small }, { bitDepth: 8 }));
  assert.equal(b.bitDepth, 8);
  assert.deepEqual(b.data, small);
  assert.throws(() => encodeTiff({ width: 2, height: 1, data: [1, 300] }, { bitDepth: 8 }), /300 .* 8 bits/);
  assert.throws(() => encodeTiff({ width: 2, height: 2, data: [1] }), /expected 4 pixels/);
});

Deno.test("decodeTiff errors name the file: not a TIFF, truncated, wrong size, wrong bit depth", async () => {
  assert.throws(
    () => decodeTiff(new TextEncoder().encode("hello world"), { file: "a.tif" }),
    /'a.tif': expected a TIFF header/,
  );
  assert.throws(() => decodeTiff(new Uint8Array(0), { file: "e.tif" }), /'e.tif'.*an empty file/);
  const good = encodeTiff({ width: 16, height: 8, data: ramp(16, 8) });
  assert.throws(
    () => decodeTiff(good.subarray(0, 60), { file: "t.tif" }),
    /Cannot read TIFF 't.tif'/,
  );
  assert.throws(
    () => decodeTiff(good, { file: "s.tif", expectSize: { width: 1280, height: 1024 } }),
    /'s.tif': expected 1280×1024 pixels, found 16×8/,
  );
  const eight = encodeTiff({ width: 4, height: 4, data: new Uint16Array(16) }, { bitDepth: 8 });
  assert.throws(
    () => decodeTiff(eight, { file: "b.tif", expectBitDepth: [16] }),
    /'b.tif': expected 16-bit .* found 8-bit/,
  );
  await assert.rejects(
    () => readTiff("/nonexistent/x.tif"),
    /'\/nonexistent\/x.tif': the file does not exist/,
  );
});

Deno.test("writeTiff then readTiff from disk", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const data = ramp(64, 48);
    await writeTiff(join(dir, "x.tif"), { width: 64, height: 48, data });
    const img = await readTiff(join(dir, "x.tif"), {
      expectSize: { width: 64, height: 48 },
      expectBitDepth: [16],
    });
    assert.deepEqual(img.data, data);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "reads the real 8-bit PackBits TIFFs of example-human",
  ignore: !haveHuman,
  fn: async () => {
    const img = await readTiff(join(SHARED_DATA, "example-human", "AS_09125_050116030001_D03f00d0.tif"));
    assert.equal(img.width, 512);
    assert.equal(img.height, 512);
    assert.equal(img.bitDepth, 8);
    let max = 0, sum = 0;
    for (const v of img.data) {
      max = Math.max(max, v);
      sum += v;
    }
    const mean = sum / img.data.length;
    assert.ok(max > 100 && max <= 255, `max ${max}`);
    assert.ok(mean > 1 && mean < max / 2, `a DNA image is mostly dark background, mean ${mean}`);
  },
});
