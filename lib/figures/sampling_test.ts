import assert from "node:assert/strict";
import { Gan, ganConfig } from "../models/gan.ts";
import { selectBackend } from "../models/backend.ts";
import { normalLatents } from "./latent.ts";
import { discriminatorFeatures, ganGenerator } from "./sampling.ts";

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
