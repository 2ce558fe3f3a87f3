import assert from "node:assert/strict";
import { join } from "node:path";
import { decode } from "fast-png";
import { figure1, type MoaCells } from "./fig1_samples.ts";
import { DEFAULT_FIGURE_PARAMS } from "./figure_params.ts";
import type { GanKey } from "./gans.ts";
import { plantedGenerator, syntheticCrops } from "./test_util.ts";

const size = 16;
const gens = new Map<GanKey, ReturnType<typeof plantedGenerator>>([
  ["dcgan", plantedGenerator(size, 8)],
  ["wgan", plantedGenerator(size, 8, 1, 2)],
  ["lsgan", plantedGenerator(size, 8, 4, 5)],
  ["bigan", plantedGenerator(size, 8, 2, 3)],
]);

const real = (byMoa?: MoaCells[]) => ({
  images: syntheticCrops(10, size),
  total: 10,
  drawn: 10,
  size,
  normalization: "crop-max",
  byMoa,
});

Deno.test("figure1 renders real crops beside each generator's into a PNG of the stated size", async () => {
  const out = await Deno.makeTempDir();
  const P = { ...DEFAULT_FIGURE_PARAMS, samples: 4 };
  const w = await figure1(out, real(), gens, P);
  const png = decode(await Deno.readFile(join(out, w.files.png)));
  assert.equal(png.width, w.width);
  assert.equal(png.height, w.height);
  const f1 = JSON.parse(await Deno.readTextFile(join(out, "fig1_real_vs_generated.json")));
  assert.ok(f1.caption.length > 50);
  assert.equal(f1.data.shown, 4);
  assert.deepEqual(Object.keys(f1.data.channelMeanIntensity), ["real", "dcgan", "wgan", "lsgan", "bigan"]);
  assert.equal(f1.data.byMoa, undefined);
  assert.match(f1.caption, /^Left: 4 real single-cell crops drawn at random/);
  await Deno.remove(out, { recursive: true });
});

Deno.test("figure1 with MOAs: the real cells of each MOA labelled, as many generated", async () => {
  const out = await Deno.makeTempDir();
  const P = { ...DEFAULT_FIGURE_PARAMS, samples: 4 };
  const moa = (name: string, n: number, seed: number): MoaCells => ({
    moa: name,
    images: syntheticCrops(n, size, seed),
    n,
    available: 10 * n,
  });
  const byMoa = [moa("DMSO", 2, 1), moa("Eg5 inhibitors", 2, 2), moa("Actin disruptors", 1, 3)];
  const w = await figure1(out, real(byMoa), gens, P);
  const png = decode(await Deno.readFile(join(out, w.files.png)));
  assert.equal(png.width, w.width);
  const svg = await Deno.readTextFile(join(out, w.files.svg));
  assert.match(svg, />Eg5 inhibitors \(2 of 20\)</);
  assert.match(svg, />Actin disruptors \(1 of 10\)</);
  const f1 = JSON.parse(await Deno.readTextFile(join(out, w.files.json)));
  assert.equal(f1.data.shown, 5, "the cells of every MOA, and as many of each generator");
  assert.deepEqual(f1.data.byMoa, [
    { moa: "DMSO", shown: 2, cells: 20 },
    { moa: "Eg5 inhibitors", shown: 2, cells: 20 },
    { moa: "Actin disruptors", shown: 1, cells: 10 },
  ]);
  assert.match(f1.caption, /up to 2 of each of the 3 MOAs/);
  await Deno.remove(out, { recursive: true });
});
