import assert from "node:assert/strict";
import { join } from "node:path";
import { decode } from "fast-png";
import { figure2 } from "./fig2_interpolation.ts";
import { DEFAULT_FIGURE_PARAMS } from "./figure_params.ts";
import type { GanKey } from "./gans.ts";
import { plantedGenerator } from "./test_util.ts";

const size = 16;
const gens = new Map<GanKey, ReturnType<typeof plantedGenerator>>([
  ["dcgan", plantedGenerator(size, 8)],
  ["wgan", plantedGenerator(size, 8, 1, 2)],
  ["lsgan", plantedGenerator(size, 8, 4, 5)],
  ["bigan", plantedGenerator(size, 8, 2, 3)],
]);

Deno.test("figure2 renders each GAN's interpolation rows and records the norms along the paths", async () => {
  const out = await Deno.makeTempDir();
  const P = { ...DEFAULT_FIGURE_PARAMS, interpolationPairs: 1, interpolationSteps: 3 };
  const w = await figure2(out, gens, size, P);
  const png = decode(await Deno.readFile(join(out, w.files.png)));
  assert.equal(png.width, w.width);
  assert.equal(png.height, w.height);
  const f2 = JSON.parse(await Deno.readTextFile(join(out, "fig2_interpolation.json")));
  assert.ok(f2.caption.length > 50);
  assert.equal(f2.data.normsAlongPaths.pair1_linear.length, 3);
  await Deno.remove(out, { recursive: true });
});
