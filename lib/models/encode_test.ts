import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { encodeFeatures, encodeLatents, featureNames } from "./encode.ts";
import { dihedral } from "./train.ts";
import { Gan, ganConfig } from "./gan.ts";
import { randn, useBackend } from "./test_util.ts";

Deno.test("encodeLatents: batching does not change the profiles; one row per crop", async () => {
  await useBackend("wasm");
  const gan = new Gan(ganConfig({ loss: "lsgan", size: 16, width: 0.125 }), undefined, 4);
  const crops = randn(7 * 16 * 16 * 3, 2, 0.5);
  const a = await encodeLatents(gan, crops, { batchSize: 3 });
  const b = await encodeLatents(gan, crops, { batchSize: 7 });
  assert.equal(a.length, 7 * 100);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-5);
  const want = tf.tidy(() =>
    gan.discriminate(tf.tensor4d(crops.subarray(0, 16 * 16 * 3), [1, 16, 16, 3])).latent.dataSync()
  );
  for (let i = 0; i < 100; i++) assert.ok(Math.abs(a[i] - want[i]) < 1e-5);
  const noisy = await encodeLatents(gan, crops, { noiseStd: 0.1, seed: 1 });
  assert.notDeepEqual(noisy, a);
  await assert.rejects(encodeLatents(gan, crops.subarray(1)), /\[N, 16, 16, 3\]/);
  gan.dispose();
});

Deno.test("encodeFeatures: pooled layers are D's convolutions averaged over the image", async () => {
  await useBackend("wasm");
  const gan = new Gan(ganConfig({ loss: "lsgan", size: 16, width: 0.25 }), undefined, 5);
  const crops = randn(3 * 16 * 16 * 3, 6, 0.5);
  assert.deepEqual(featureNames(gan, ["pooled"]).length, 8 + 16 + 32 + 64);
  assert.deepEqual(featureNames(gan, ["latent", "pooled"]).slice(99, 101), ["f99", "p0"]);
  const both = await encodeFeatures(gan, crops, { layers: ["latent", "pooled"] });
  const latent = await encodeLatents(gan, crops);
  const d = 100 + 120;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 100; j++) assert.ok(Math.abs(both[i * d + j] - latent[i * 100 + j]) < 1e-6);
  }
  // The first layer's pooled features, computed by hand: mean over pixels of LeakyReLU(conv + bias).
  const want = tf.tidy(() => {
    const x = tf.tensor4d(crops, [3, 16, 16, 3]);
    const h = tf.leakyRelu(
      tf.add(tf.conv2d(x, gan.w("d/conv0/kernel") as tf.Tensor4D, 1, "same"), gan.w("d/conv0/bias")),
      0.2,
    );
    return tf.mean(h, [1, 2]).dataSync();
  });
  for (let i = 0; i < 3; i++) {
    for (let c = 0; c < 8; c++) assert.ok(Math.abs(both[i * d + 100 + c] - want[i * 8 + c]) < 1e-5);
  }
  assert.throws(() => featureNames(gan, ["pixels" as "latent"]), /unknown feature layer 'pixels'/);
  gan.dispose();
});

Deno.test("encodeFeatures: with 8 symmetries a crop and its rotated or flipped copies get the same profile", async () => {
  await useBackend("wasm");
  const s = 16, px = s * s * 3;
  const gan = new Gan(ganConfig({ loss: "dcgan", size: s, width: 0.25 }), undefined, 2);
  const crop = randn(px, 9, 0.5);
  const copies = new Float32Array(8 * px);
  for (let k = 0; k < 8; k++) dihedral(crop, s, k, copies.subarray(k * px, (k + 1) * px));
  for (const layers of [["latent"], ["pooled"]] as const) {
    const plain = await encodeFeatures(gan, copies, { layers });
    const sym = await encodeFeatures(gan, copies, { layers, symmetries: 8 });
    const d = plain.length / 8;
    let spread = 0;
    for (let k = 1; k < 8; k++) {
      for (let j = 0; j < d; j++) {
        spread = Math.max(spread, Math.abs(plain[k * d + j] - plain[j]));
        assert.ok(Math.abs(sym[k * d + j] - sym[j]) < 1e-4, `${layers} symmetry ${k} feature ${j}`);
      }
    }
    assert.ok(spread > 1e-3, `${layers}: the copies differ without averaging (${spread})`);
  }
  await assert.rejects(encodeFeatures(gan, copies, { symmetries: 4 as 8 }), /symmetries must be 1 or 8/);
  gan.dispose();
});
