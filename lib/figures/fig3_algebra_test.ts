import assert from "node:assert/strict";
import { join } from "node:path";
import { decode } from "fast-png";
import { figure3 } from "./fig3_algebra.ts";
import { measureAlgebra } from "./latent.ts";
import { ATTRIBUTES } from "./measure.ts";
import { plantedGenerator } from "./test_util.ts";

Deno.test("figure3 renders one GAN's algebra examples into a PNG of the stated size", async () => {
  const size = 16;
  const out = await Deno.makeTempDir();
  const g = plantedGenerator(size, 8, 4, 5);
  const w = await figure3(out, "lsgan", "LSGAN", [
    await measureAlgebra(g, ATTRIBUTES[0], { samples: 40, examples: 2 }),
  ], size);
  const png = decode(await Deno.readFile(join(out, w.files.png)));
  assert.equal(png.width, w.width);
  assert.equal(png.height, w.height);
  const json = JSON.parse(await Deno.readTextFile(join(out, w.files.json)));
  assert.ok(json.caption.length > 50);
  assert.equal(json.data[0].attribute, ATTRIBUTES[0].name);
  assert.equal(json.data[0].examples, undefined, "the example images stay out of the JSON");
  await Deno.remove(out, { recursive: true });
});
