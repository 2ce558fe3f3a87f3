import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { encodeLatents } from "./encode.ts";
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
