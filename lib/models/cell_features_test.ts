import assert from "node:assert/strict";
import { join } from "node:path";
import { cropSetToStore } from "../data/crop_set_store.ts";
import { writeRaggedCropSet } from "../data/test_util.ts";
import { normalizeStore, STORE_NORMALIZATION_DEFAULTS } from "../imaging/normalize_store.ts";
import { selectBackend } from "./backend.ts";
import { cellFeatures } from "./cell_features.ts";
import { Gan, ganConfig } from "./gan.ts";

Deno.test("cellFeatures: a crop-set folder, its raw store and its normalised store give the same features", async () => {
  await selectBackend("wasm");
  const dir = await Deno.makeTempDir({ prefix: "morphogan-cell-latents-" });
  const gan = new Gan(ganConfig({ loss: "dcgan", size: 16, width: 1 / 16 }), undefined, 3);
  try {
    await writeRaggedCropSet(join(dir, "set"));
    const prepare = {
      cropSet: { channelOrder: "dna-actin-tubulin" as const },
      normalization: { ...STORE_NORMALIZATION_DEFAULTS, size: 16 },
    };
    const fromSet = await cellFeatures(gan, join(dir, "set"), { prepare, work: join(dir, "w1") });
    await cropSetToStore(join(dir, "set"), join(dir, "raw"), prepare.cropSet);
    const fromRaw = await cellFeatures(gan, join(dir, "raw"), { prepare, work: join(dir, "w2") });
    await normalizeStore(join(dir, "raw"), join(dir, "norm"), prepare.normalization);
    const fromNorm = await cellFeatures(gan, join(dir, "norm"));
    assert.equal(fromSet.rows.length, 29);
    assert.equal(fromSet.order!.length, 29);
    assert.equal(fromRaw.order, null);
    assert.deepEqual(fromSet.data, fromNorm.data);
    assert.deepEqual(fromRaw.data, fromNorm.data);
    assert.deepEqual(fromSet.rows, fromNorm.rows);
    assert.equal(fromNorm.store, join(dir, "norm"));
    // Without a preparation only normalised crops are accepted; a side other than D's is refused.
    await assert.rejects(
      cellFeatures(gan, join(dir, "raw")),
      /Cannot encode '.*raw': expected the normalised \(float32\) crops D was trained on, found raw crops/,
    );
    await assert.rejects(
      cellFeatures(gan, join(dir, "set")),
      /Cannot encode '.*set': expected a crop store \(cells\.csv\) of normalised crops/,
    );
    await normalizeStore(join(dir, "raw"), join(dir, "norm24"), { ...prepare.normalization, size: 0 });
    await assert.rejects(
      cellFeatures(gan, join(dir, "norm24")),
      /Cannot encode float32 crops of 24 px from '.*norm24' with a D of 16 px/,
    );
  } finally {
    gan.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeDiscriminatorFeatures: one feature set per training seed; untrained reads each seed's initial D", async () => {
  await selectBackend("wasm");
  const { trainRun } = await import("./train_run.ts");
  const { readFeatureSet } = await import("../profiling/feature_store.ts");
  const { writeDiscriminatorFeatures } = await import("./cell_features.ts");
  const dir = await Deno.makeTempDir({ prefix: "morphogan-disc-features-" });
  try {
    await writeRaggedCropSet(join(dir, "set"));
    await cropSetToStore(join(dir, "set"), join(dir, "raw"), { channelOrder: "dna-actin-tubulin" });
    const norm = join(dir, "norm");
    await normalizeStore(join(dir, "raw"), norm, { ...STORE_NORMALIZATION_DEFAULTS, size: 16 });
    const crops = (await (await import("../imaging/crop_store.ts")).readCrops(norm)).data as Float32Array;
    // A train task's output: seed 4 at the top, seed 5 as a replicate; 0 steps for seed 5, so its weights
    // are its initial ones.
    const train = join(dir, "train");
    const info = { backend: { name: "wasm" }, cells: 29, normalization: "plate-percentile" };
    const options = {
      loss: "lsgan" as const,
      size: 16,
      width: 1 / 16,
      batchSize: 8,
      sampleCount: 4,
      sampleEvery: 2,
    };
    await trainRun(crops, { ...options, steps: 2, seed: 4 }, train, info);
    await trainRun(crops, { ...options, steps: 0, seed: 5 }, join(train, "replicates", "5"), info);
    const trained = join(dir, "trained"), untrained = join(dir, "untrained");
    assert.deepEqual(
      await writeDiscriminatorFeatures(train, norm, trained, {
        kind: "lsgan",
        layers: ["latent", "pooled"],
        symmetries: 8,
      }),
      [4, 5],
    );
    await writeDiscriminatorFeatures(train, norm, untrained, { kind: "random", untrained: true });
    const t4 = await readFeatureSet(trained), t5 = await readFeatureSet(join(trained, "replicates", "5"));
    const u4 = await readFeatureSet(untrained), u5 = await readFeatureSet(join(untrained, "replicates", "5"));
    assert.deepEqual([t4.seed, t5.seed, u4.seed, u5.seed], [4, 5, 4, 5]);
    assert.equal(t4.names.length, 100 + 2 + 4 + 8 + 16); // latent, then D's 4 layers pooled (w = 1/16)
    assert.equal(u4.names.length, 100);
    // Seed 5 never trained: the untrained control is exactly its D.
    for (let i = 0; i < u5.data.length; i++) {
      assert.ok(Math.abs(u5.data[i] - t5.data[(i / 100 | 0) * t5.names.length + (i % 100)]) < 1e-6);
    }
    // The symmetric view: the same cells, the features averaged over flips and quarter turns.
    const sym = await readFeatureSet(join(trained, "replicates", "5", "sym8"));
    assert.deepEqual([sym.seed, sym.names, sym.rows], [5, t5.names, t5.rows]);
    assert.notDeepEqual(sym.data, t5.data);
    await assert.rejects(Deno.stat(join(untrained, "sym8")), Deno.errors.NotFound);
    // Seed 4 trained two steps: its D moved away from its initial one.
    assert.notDeepEqual(u4.data, Float32Array.from(t4.data.filter((_, k) => k % t4.names.length < 100)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
