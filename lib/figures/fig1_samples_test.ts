import assert from "node:assert/strict";
import { join } from "node:path";
import { decode } from "fast-png";
import { figure1 } from "./fig1_samples.ts";
import { DEFAULT_FIGURE_PARAMS } from "./figure_params.ts";
import type { GanKey } from "./gans.ts";
import { plantedGenerator, syntheticCrops } from "./test_util.ts";

const size = 16;
const gens = new Map<GanKey, ReturnType<typeof plantedGenerator>>([
  ["dcgan", plantedGenerator(size, 8)],
  ["wgan", plantedGenerator(size, 8, 1, 2)],
  ["lsgan", plantedGenerator(size, 8, 4, 5)],
]);

Deno.test("figure1 renders real crops beside each generator's into a PNG of the stated size", async () => {
  const out = await Deno.makeTempDir();
  const P = { ...DEFAULT_FIGURE_PARAMS, samples: 4 };
  const w = await figure1(out, syntheticCrops(10, size), 10, 10, size, gens, "crop-max", P);
  const png = decode(await Deno.readFile(join(out, w.files.png)));
  assert.equal(png.width, w.width);
  assert.equal(png.height, w.height);
  const f1 = JSON.parse(await Deno.readTextFile(join(out, "fig1_real_vs_generated.json")));
  assert.ok(f1.caption.length > 50);
  assert.equal(f1.data.shown, 4);
  assert.deepEqual(Object.keys(f1.data.channelMeanIntensity), ["real", "dcgan", "wgan", "lsgan"]);
  await Deno.remove(out, { recursive: true });
});
