import assert from "node:assert/strict";
import { Gan, ganConfig } from "../models/gan.ts";
import { selectBackend } from "../models/backend.ts";
import { normalLatents } from "./latent.ts";
import { join } from "node:path";
import { saveGan } from "../models/weights.ts";
import { discriminatorFeatures, ganGenerator, savedGanGenerator } from "./sampling.ts";

Deno.test("ganGenerator: images in (−1, 1), the same in one batch or several; D features", async () => {
  await selectBackend("cpu");
  const gan = new Gan(ganConfig({ loss: "lsgan", size: 8, width: 1 / 16 }), undefined, 1);
  try {
    const n = 5, z = normalLatents(n, 100, 2);
    const one = await ganGenerator(gan, 64).generate(z, n);
    const many = await ganGenerator(gan, 2).generate(z, n);
    assert.equal(one.length, n * 8 * 8 * 3);
    assert.ok(one.every((v) => v > -1 && v < 1));
    for (let i = 0; i < one.length; i++) assert.ok(Math.abs(one[i] - many[i]) < 1e-5);
    await assert.rejects(() => ganGenerator(gan).generate(z, 4), /expected 4×100/);
    const f = await discriminatorFeatures(gan, one, 2);
    assert.equal(f.length, n * 100);
    assert.ok(f.every(Number.isFinite));
  } finally {
    gan.dispose();
  }
});

Deno.test("savedGanGenerator: the saved GAN's images, loaded per call; other dimensions are an error", async () => {
  await selectBackend("cpu");
  const dir = await Deno.makeTempDir();
  const gan = new Gan(ganConfig({ loss: "lsgan", size: 8, width: 1 / 16 }), undefined, 3);
  try {
    await saveGan(gan, join(dir, "model"));
    const z = normalLatents(3, 100, 4);
    const direct = await ganGenerator(gan).generate(z, 3);
    const saved = await savedGanGenerator(join(dir, "model"), 100, 8).generate(z, 3);
    for (let i = 0; i < direct.length; i++) assert.ok(Math.abs(direct[i] - saved[i]) < 1e-5);
    await assert.rejects(
      () => savedGanGenerator(join(dir, "model"), 100, 16).generate(z, 3),
      /Cannot sample the GAN in '.*model': expected 100-d latents and 16 px images .* found 100-d and 8 px/,
    );
  } finally {
    gan.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});
