import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { channels, Gan, ganConfig, weightSpecs } from "./gan.ts";
import { loadGan, readWeights, saveGan } from "./weights.ts";
import { randn, useBackend } from "./test_util.ts";

Deno.test("GAN shapes: G maps z to [B, s, s, 3] in (−1, 1); D gives logit [B, 1] and latent [B, 100]", async () => {
  await useBackend("wasm");
  const gan = new Gan(ganConfig({ loss: "dcgan", size: 16, width: 0.125 }), undefined, 1);
  assert.deepEqual(channels(gan.config), { g: [32, 16, 8, 4], d: [4, 8, 16, 32] });
  tf.tidy(() => {
    const z = tf.tensor2d(randn(3 * 100, 1), [3, 100]);
    const img = gan.generate(z, false);
    assert.deepEqual(img.shape, [3, 16, 16, 3]);
    const v = img.dataSync();
    assert.ok(v.every((x) => x > -1 && x < 1));
    const { logit, latent } = gan.discriminate(img, tf.randomNormal(img.shape, 0, 0.1) as tf.Tensor4D);
    assert.deepEqual(logit.shape, [3, 1]);
    assert.deepEqual(latent.shape, [3, 100]);
  });
  assert.equal(
    gan.generatorVariables().length + gan.discriminatorVariables().length,
    weightSpecs(gan.config).filter((s) => s.trainable).length,
  );
  gan.dispose();
});

Deno.test("GAN: training-mode batch norm reports batch statistics and updates the moving ones", async () => {
  await useBackend("wasm");
  const gan = new Gan(ganConfig({ loss: "lsgan", size: 8, width: 0.0625 }), undefined, 2);
  const stats: { mean: tf.Tensor1D; variance: tf.Tensor1D }[] = [];
  tf.tidy(() => gan.generate(tf.tensor2d(randn(4 * 100, 2), [4, 100]), true, stats));
  assert.equal(stats.length, 4);
  const before = gan.w("g/bn0/moving_mean").dataSync().slice();
  const batchMean = stats[0].mean.dataSync().slice();
  gan.updateBatchNorm(stats);
  const after = gan.w("g/bn0/moving_mean").dataSync();
  for (let i = 0; i < after.length; i++) {
    assert.ok(Math.abs(after[i] - (0.9 * before[i] + 0.1 * batchMean[i])) < 1e-6);
  }
  gan.dispose();
});

Deno.test("GAN: same seed, same weights; weights save and load bit for bit", async () => {
  await useBackend("wasm");
  const config = ganConfig({ loss: "wgan", size: 16, width: 0.125 });
  const a = new Gan(config, undefined, 5), b = new Gan(config, undefined, 5);
  const va = await a.values(), vb = await b.values();
  for (const [k, v] of va) assert.deepEqual(v, vb.get(k));
  const dir = await Deno.makeTempDir();
  try {
    await saveGan(a, dir);
    const manifest = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
    assert.equal(manifest.weightsManifest[0].weights[0].name, "g/dense/kernel");
    const c = await loadGan(dir);
    assert.deepEqual(c.config, config);
    const vc = await c.values();
    for (const [k, v] of va) assert.deepEqual(new Uint8Array(v.buffer), new Uint8Array(vc.get(k)!.buffer), k);
    // The same network computes the same latent.
    const x = tf.tensor4d(randn(2 * 16 * 16 * 3, 9), [2, 16, 16, 3]);
    const la = a.discriminate(x).latent, lc = c.discriminate(x).latent;
    assert.deepEqual(la.dataSync(), lc.dataSync());
    tf.dispose([x, la, lc]);
    c.dispose();
    await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify({ format: "other" }));
    await assert.rejects(readWeights(dir), /not morphogan GAN weights/);
  } finally {
    await Deno.remove(dir, { recursive: true });
    a.dispose();
    b.dispose();
  }
});

Deno.test("ganConfig rejects bad sizes, widths and losses", () => {
  assert.throws(() => ganConfig({ loss: "dcgan", size: 30 }), /multiple of 8/);
  assert.throws(() => ganConfig({ loss: "dcgan", size: 32, width: 0 }), /width/);
  assert.throws(() => ganConfig({ loss: "began" as never, size: 32 }), /unknown loss/);
});

Deno.test("GAN upsample: bilinear G differs from nearest with the same weights, and its config survives a save", async () => {
  await useBackend("wasm");
  const nearest = new Gan(ganConfig({ loss: "lsgan", size: 16, width: 0.125 }), undefined, 3);
  const bilinear = new Gan(
    ganConfig({ loss: "lsgan", size: 16, width: 0.125, upsample: "bilinear" }),
    await nearest.values(),
  );
  const z = tf.tensor2d(randn(2 * 100, 4), [2, 100]);
  const a = await nearest.generate(z).data(), b = await bilinear.generate(z).data();
  assert.equal(a.length, b.length);
  assert.ok(a.some((v, i) => Math.abs(v - b[i]) > 1e-3));
  const dir = await Deno.makeTempDir();
  try {
    await saveGan(bilinear, dir);
    const loaded = await loadGan(dir);
    assert.equal(loaded.config.upsample, "bilinear");
    assert.deepEqual(await loaded.generate(z).data(), b);
    loaded.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.equal(ganConfig({ loss: "dcgan", size: 8 }).upsample, "nearest");
  assert.throws(
    () => ganConfig({ loss: "dcgan", size: 8, upsample: "cubic" as "nearest" }),
    /unknown upsampling 'cubic'/,
  );
  for (const g of [nearest, bilinear]) g.dispose();
  z.dispose();
});
