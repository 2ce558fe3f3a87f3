import assert from "node:assert/strict";
import { join } from "node:path";
import { selectBackend } from "../models/backend.ts";
import { Gan, ganConfig } from "../models/gan.ts";
import { Rng } from "../models/rng.ts";
import { DEFAULT_FIGURE_PARAMS } from "./figure_params.ts";
import { type GanKey, GANS } from "./gans.ts";
import type { ImageGenerator } from "./latent.ts";
import {
  checkGoals,
  type GanRealism,
  type GoalCheck,
  REALISM_GOALS,
  realismFigure,
  type ScoreRow,
  scoreSpace,
  type SeedGenerator,
  type SpaceScores,
  summarizeSeeds,
} from "./realism_figure.ts";
import { plantedGenerator, syntheticCrops } from "./test_util.ts";

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

/** A space with rows per GAN seed, as realismFigure scores them. */
function space(name: string, spreads: Record<string, number[]>, oneNn = 0.95): SpaceScores {
  const row = (generator: string, gan: GanKey | null, seed: number | null, spread: number): ScoreRow => ({
    generator,
    gan,
    seed,
    fd: 10 * spread,
    fdMean: 1,
    fdCov: 1,
    oneNn,
    oneNnReal: oneNn,
    oneNnGenerated: oneNn,
    spread,
    imputed: 0,
  });
  return {
    space: name,
    dims: 3,
    rows: [
      row("real B (reference)", null, null, 1),
      ...Object.entries(spreads).flatMap(([gan, v]) =>
        v.map((s, i) => row(`${gan} ${i}`, gan as GanKey, i, s))
      ),
      row("untrained G", null, null, 0.1),
    ],
  };
}

Deno.test("summarizeSeeds and checkGoals: mean ± sd per GAN, each goal checked per seed", () => {
  const spaces = [space("classical", { dcgan: [0.5], wgan: [0.9], lsgan: [0.85, 1.3], bigan: [0.4] }, 0.88)];
  const summary = summarizeSeeds(spaces);
  assert.deepEqual(summary.map((g) => g.seeds), [[0], [0], [0, 1], [0]]);
  const lsgan = summary[2].spaces[0];
  assert.ok(Math.abs(lsgan.spread.mean - 1.075) < 1e-12);
  assert.ok(Math.abs(lsgan.spread.sd - Math.sqrt(2 * 0.225 ** 2)) < 1e-12);
  assert.equal(summary[0].spaces[0].spread.sd, 0);
  const goals = checkGoals(spaces);
  const spread = goals.filter((g) => g.metric === "spread");
  assert.deepEqual(spread.map((g) => [g.gan, g.met, g.seeds.length]), [
    ["dcgan", 0, 1],
    ["wgan", 1, 1],
    ["lsgan", 1, 2],
    ["bigan", 0, 1],
  ]);
  assert.deepEqual(spread[2].seeds.map((s) => s.met), [true, false], "1.3 is more than 20 % above the real");
  const nn = goals.filter((g) => g.metric === "oneNn");
  assert.deepEqual(nn.map((g) => [g.gan, g.met]), [["lsgan", 2]], "0.88 ≤ 0.90 for both LSGAN seeds");
  assert.equal(REALISM_GOALS.length, 2);
});

Deno.test("realismFigure: every seed of every GAN scored, mean ± sd, goals, in the figure and its JSON", async () => {
  await selectBackend("cpu");
  const size = 16, n = 24;
  const gans = new Map(
    GANS.map(([key], i) => [key, new Gan(ganConfig({ loss: key, size, width: 1 / 16 }), undefined, i + 1)]),
  );
  // DCGAN collapsed: every latent vector gives the same cell.
  const collapsed: ImageGenerator = {
    latentDim: 100,
    size,
    generate: (_z, k) => plantedGenerator(size, 100).generate(new Float32Array(k * 100), k),
  };
  const seeds = new Map<GanKey, SeedGenerator[]>([
    ["dcgan", [{ seed: 0, generator: collapsed }]],
    ["wgan", [{ seed: 0, generator: plantedGenerator(size, 100, 1, 2) }]],
    ["lsgan", [{ seed: 0, generator: plantedGenerator(size, 100) }, {
      seed: 1,
      generator: plantedGenerator(size, 100, 4, 5),
    }]],
    ["bigan", [{ seed: 0, generator: plantedGenerator(size, 100, 2, 3) }]],
  ]);
  const out = await Deno.makeTempDir();
  try {
    const lines: string[] = [];
    const w = await realismFigure(out, {
      realA: syntheticCrops(n, size, 1),
      realB: syntheticCrops(n, size, 2),
      n,
      size,
      gans,
      seeds,
      params: { ...DEFAULT_FIGURE_PARAMS, batchSize: 16 },
      log: { info: (l) => lines.push(l), warn: (l) => lines.push(l) },
    });
    const json = JSON.parse(await Deno.readTextFile(join(out, w.files.json)));
    const { data } = json;
    assert.deepEqual(data.seeds, { dcgan: [0], wgan: [0], lsgan: [0, 1], bigan: [0] });
    const classical = data.spaces[0];
    assert.deepEqual(classical.rows.map((r: ScoreRow) => r.generator), [
      "real B (reference)",
      "DCGAN",
      "WGAN-GP",
      "LSGAN (seed 0)",
      "LSGAN (seed 1)",
      "BiGAN",
      "untrained G",
    ]);
    const dcgan = classical.rows[1], realB = classical.rows[0];
    assert.ok(dcgan.spread < 0.05, `a collapsed generator has no spread: ${dcgan.spread}`);
    assert.ok(realB.spread > 0.7 && realB.spread < 1.3, `real vs real: ${realB.spread}`);
    const lsgan = data.gans.find((g: GanRealism) => g.gan === "lsgan");
    assert.equal(lsgan.spaces[0].spread.values.length, 2);
    assert.ok(lsgan.spaces[0].spread.sd >= 0);
    const collapse = data.goals.find((g: GoalCheck) => g.gan === "dcgan" && g.metric === "spread");
    assert.equal(collapse.met, 0);
    assert.match(json.caption, /LSGAN FD [\d.]+ ± [\d.]+, 1-NN [\d.]+ ± [\d.]+, spread [\d.]+ ± [\d.]+/);
    assert.match(
      json.caption,
      /no collapse: spread within 20 % of the real cells': DCGAN: not met \(0 of 1 seed/,
    );
    const svg = await Deno.readTextFile(join(out, w.files.svg));
    assert.match(svg, /LSGAN \(2 seeds\)/);
    assert.match(svg, /Goal, LSGAN&#39;s 1-NN two-sample accuracy ≤ 0\.90 \(classical\): LSGAN: /);
    assert.ok(lines.some((l) => l.startsWith("realism goal, no collapse")));
    assert.equal(data.spaces.length, 2 + GANS.length);
    for (const s of data.spaces) assert.equal(s.rows.length, 7);
  } finally {
    for (const g of gans.values()) g.dispose();
    await Deno.remove(out, { recursive: true });
  }
});
