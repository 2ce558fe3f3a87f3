/**
 * The `figures` task end to end on a small fixture (crop store of three MOAs and DMSO, three tiny untrained
 * GANs, LSGAN with a replicate seed, profiles, evaluation): every figure is written as SVG, PNG of the stated
 * size and JSON with a caption, and figures.json lists them; realism scores every seed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { decode } from "fast-png";
import { figures } from "../tasks/figures.ts";
import { resolveParams } from "../workflow/params.ts";
import { writeFigureInputs } from "../lib/figures/test_util.ts";
import { ENCODERS, GANS } from "../lib/figures/gans.ts";

const EXPECTED = [
  "fig1_real_vs_generated",
  "fig2_interpolation",
  ...GANS.map(([key]) => `fig3_algebra_${key}`),
  "fig3_algebra_measured",
  "table1",
  "training_curves",
  "confusion",
  "profile_map",
  "realism",
  "latent_reconstructions",
  "latent_interpolation_real",
  "latent_treatment_vectors",
  "latent_dose_direction",
];

Deno.test("figures task: every figure from a small fixture, as SVG, PNG and JSON", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "morphogan-figures-" });
  const inputs = await writeFigureInputs(join(tmp, "in"), 40, 16);
  const out = join(tmp, "out");
  await Deno.mkdir(out);
  const params = resolveParams("figures", figures.params, [{
    source: "test",
    values: {
      samples: 4,
      interpolationPairs: 1,
      interpolationSteps: 4,
      algebraSamples: 40,
      algebraExamples: 2,
      realismSamples: 16,
      umapNeighbors: 4,
    },
  }]);
  const lines: string[] = [];
  let ticks = 0, total = 0;
  await figures.run({
    name: "figures",
    key: "test",
    params: params as never,
    inputs,
    out,
    checkpoint: join(tmp, "checkpoint"),
    root: tmp,
    log: { debug() {}, info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m) },
    progress: { start: (n: number) => (total = n), tick: () => ticks++, set() {}, note() {} },
    signal: new AbortController().signal,
    settings: { jobs: 1, backend: "cpu", logLevel: "info" },
    threads: 1,
    record() {},
  });
  assert.equal(ticks, total);
  const index = JSON.parse(await Deno.readTextFile(join(out, "figures.json")));
  assert.deepEqual(index.map((f: { name: string }) => f.name), EXPECTED);
  for (const f of index) {
    const svg = await Deno.readTextFile(join(out, f.files.svg));
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const bytes = await Deno.readFile(join(out, f.files.png));
    assert.ok(bytes.length > 1000, `${f.name}.png is ${bytes.length} bytes`);
    const png = decode(bytes);
    assert.equal(png.width, f.width, f.name);
    assert.equal(png.height, f.height, f.name);
    const [w, h] = [/ width="(\d+)"/.exec(svg)![1], / height="(\d+)"/.exec(svg)![1]].map(Number);
    assert.equal(png.width, 2 * w);
    assert.equal(png.height, 2 * h);
    const json = JSON.parse(await Deno.readTextFile(join(out, f.files.json)));
    assert.equal(json.name, f.name);
    assert.ok(json.caption.length > 80, `${f.name} caption`);
    assert.ok(json.data !== null && typeof json.data === "object");
  }
  const realism = JSON.parse(await Deno.readTextFile(join(out, "realism.json"))).data;
  assert.equal(realism.n, 16);
  assert.deepEqual(realism.spaces.map((s: { space: string }) => s.space), [
    "classical",
    "random D",
    ...GANS.map(([key, name]) => `${key === "bigan" ? "E" : "D"} of ${name}`),
  ]);
  for (const s of realism.spaces) {
    for (const r of s.rows) {
      assert.ok(r.fd >= 0, `${s.space} ${r.generator} FD ${r.fd}`);
      assert.ok(r.oneNn >= 0 && r.oneNn <= 1);
      assert.ok(r.spread >= 0, `${s.space} ${r.generator} spread ${r.spread}`);
    }
  }
  // LSGAN's replicate (replicates/1/) is scored beside its first seed.
  assert.deepEqual(realism.seeds, { dcgan: [0], wgan: [0], lsgan: [0, 1], bigan: [0] });
  assert.deepEqual(realism.spaces[0].rows.map((r: { generator: string }) => r.generator), [
    "real B (reference)",
    "DCGAN",
    "WGAN-GP",
    "LSGAN (seed 0)",
    "LSGAN (seed 1)",
    "BiGAN",
    "untrained G",
  ]);
  const lsganSpread = realism.gans.find((g: { gan: string }) => g.gan === "lsgan").spaces[0].spread;
  assert.equal(lsganSpread.values.length, 2);
  assert.deepEqual(realism.goals.map((g: { gan: string; metric: string }) => `${g.gan} ${g.metric}`), [
    "dcgan spread",
    "wgan spread",
    "lsgan spread",
    "bigan spread",
    "lsgan oneNn",
  ]);
  // The crops carry MOAs: Fig. 1 shows real cells of each.
  const fig1 = JSON.parse(await Deno.readTextFile(join(out, "fig1_real_vs_generated.json"))).data;
  assert.deepEqual(fig1.byMoa.map((m: { moa: string }) => m.moa), [
    "DMSO",
    "Actin disruptors",
    "DNA damage",
    "Eg5 inhibitors",
  ]);
  assert.equal(fig1.shown, 4);
  const t1 = JSON.parse(await Deno.readTextFile(join(out, "table1.json"))).data;
  const lsgan = t1.rows.find((r: { set: string }) => r.set === "lsgan");
  assert.equal(lsgan.paper.nsc, 0.68);
  assert.equal(lsgan.best.n_seeds, 2);
  const algebra = JSON.parse(await Deno.readTextFile(join(out, "fig3_algebra_measured.json"))).data;
  assert.equal(algebra["lsgan/nucleus_area"].heldOut, 20);
  assert.ok(lines.some((l) => /LSGAN nucleus_area: \+1·direction changes it by/.test(l)));
  // Real cells in latent space: every model with an encoder, measured beside its random control.
  const rec = JSON.parse(await Deno.readTextFile(join(out, "latent_reconstructions.json"))).data;
  assert.deepEqual(Object.keys(rec), ENCODERS.map(([key]) => key));
  for (const [key] of ENCODERS) {
    assert.equal(rec[key].cells, 40);
    assert.ok(rec[key].mse.mean > 0 && rec[key].mseControl.mean > 0, `${key} reconstruction error`);
    assert.ok(rec[key].identified.mean >= 0 && rec[key].identified.mean <= 1);
  }
  const vectors = JSON.parse(await Deno.readTextFile(join(out, "latent_treatment_vectors.json"))).data;
  // 3 MOAs × 2 concentrations of one compound each, 5 cells or more each (40 cells in turn over 4 classes).
  assert.equal(vectors.bigan.summary.treatments, 6);
  assert.deepEqual(Object.keys(vectors.bigan.perMoa), ["Actin disruptors", "DNA damage", "Eg5 inhibitors"]);
  for (const r of vectors.vae.treatments[0].results) {
    assert.ok(Math.abs(r.direction.cosine) <= 1 && Math.abs(r.control.cosine) <= 1, r.label);
  }
  const dose = JSON.parse(await Deno.readTextFile(join(out, "latent_dose_direction.json"))).data;
  assert.equal(dose.compound.compound, "Act-0");
  assert.deepEqual(dose.compound.concentrations.map((c: { label: string }) => c.label), [
    "Act-0 @ 1",
    "Act-0 @ 2",
  ]);
  assert.deepEqual(dose.alphas, [0, 0.5, 1, 1.5, 2, 3]);
  assert.equal(dose.bigan.gain[0].mean, 0, "α = 0 is the base itself");
  assert.deepEqual(dose.vae.real.map((r: { label: string }) => r.label), ["Act-0 @ 1", "Act-0 @ 2"]);
  await Deno.remove(tmp, { recursive: true });
});
