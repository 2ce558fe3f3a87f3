import assert from "node:assert/strict";
import { join } from "node:path";
import { decode } from "fast-png";
import { DEFAULT_FIGURE_PARAMS, figure1, figure2, figure3, type GanKey, scoreSpace } from "./figures.ts";
import { measureAlgebra } from "./latent.ts";
import { ATTRIBUTES } from "./measure.ts";
import { plantedGenerator, syntheticCrops } from "./test_util.ts";
import { Rng } from "../models/rng.ts";

const size = 16;
const gens = new Map<GanKey, ReturnType<typeof plantedGenerator>>([
  ["dcgan", plantedGenerator(size, 8)],
  ["wgan", plantedGenerator(size, 8, 1, 2)],
  ["lsgan", plantedGenerator(size, 8, 4, 5)],
]);

Deno.test("figure1, figure2 and figure3 render from fake generators into PNGs of the stated size", async () => {
  const out = await Deno.makeTempDir();
  const P = { ...DEFAULT_FIGURE_PARAMS, samples: 4, interpolationPairs: 1, interpolationSteps: 3 };
  const written = [
    await figure1(out, syntheticCrops(10, size), 10, 10, size, gens, "crop-max", P),
    await figure2(out, gens, size, P),
    await figure3(out, "lsgan", "LSGAN", [
      await measureAlgebra(gens.get("lsgan")!, ATTRIBUTES[0], { samples: 40, examples: 2 }),
    ], size),
  ];
  for (const w of written) {
    const png = decode(await Deno.readFile(join(out, w.files.png)));
    assert.equal(png.width, w.width);
    assert.equal(png.height, w.height);
    const json = JSON.parse(await Deno.readTextFile(join(out, w.files.json)));
    assert.ok(json.caption.length > 50);
  }
  const f1 = JSON.parse(await Deno.readTextFile(join(out, "fig1_real_vs_generated.json")));
  assert.equal(f1.data.shown, 4);
  assert.deepEqual(Object.keys(f1.data.channelMeanIntensity), ["real", "dcgan", "wgan", "lsgan"]);
  const f2 = JSON.parse(await Deno.readTextFile(join(out, "fig2_interpolation.json")));
  assert.equal(f2.data.normsAlongPaths.pair1_linear.length, 3);
  await Deno.remove(out, { recursive: true });
});

Deno.test("scoreSpace: the reference set scores near chance, a shifted set far", () => {
  const rng = new Rng(1);
  const d = 3, n = 200;
  const set = (shift: number) => Float32Array.from({ length: n * d }, () => shift + rng.normal());
  const s = scoreSpace("test", ["real A", "real B", "shifted"], [set(0), set(0), set(4)], d);
  assert.equal(s.dims, 3);
  assert.equal(s.rows.length, 2);
  assert.ok(s.rows[0].fd < 0.2 && Math.abs(s.rows[0].oneNn - 0.5) < 0.1, JSON.stringify(s.rows[0]));
  assert.ok(s.rows[1].fd > 40 && s.rows[1].oneNn > 0.95, JSON.stringify(s.rows[1]));
});
