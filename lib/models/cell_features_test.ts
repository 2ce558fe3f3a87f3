import assert from "node:assert/strict";
import { join } from "node:path";
import { cropSetToStore } from "../data/crop_set_store.ts";
import { writeRaggedCropSet } from "../data/test_util.ts";
import { normalizeStore, STORE_NORMALIZATION_DEFAULTS } from "../imaging/normalize_store.ts";
import { selectBackend } from "./backend.ts";
import { cellLatents } from "./cell_features.ts";
import { Gan, ganConfig } from "./gan.ts";

Deno.test("cellLatents: a crop-set folder, its raw store and its normalised store give the same features", async () => {
  await selectBackend("wasm");
  const dir = await Deno.makeTempDir({ prefix: "morphogan-cell-latents-" });
  const gan = new Gan(ganConfig({ loss: "dcgan", size: 16, width: 1 / 16 }), undefined, 3);
  try {
    await writeRaggedCropSet(join(dir, "set"));
    const prepare = {
      cropSet: { channelOrder: "dna-actin-tubulin" as const },
      normalization: { ...STORE_NORMALIZATION_DEFAULTS, size: 16 },
    };
    const fromSet = await cellLatents(gan, join(dir, "set"), { prepare, work: join(dir, "w1") });
    await cropSetToStore(join(dir, "set"), join(dir, "raw"), prepare.cropSet);
    const fromRaw = await cellLatents(gan, join(dir, "raw"), { prepare, work: join(dir, "w2") });
    await normalizeStore(join(dir, "raw"), join(dir, "norm"), prepare.normalization);
    const fromNorm = await cellLatents(gan, join(dir, "norm"));
    assert.equal(fromSet.rows.length, 29);
    assert.equal(fromSet.order!.length, 29);
    assert.equal(fromRaw.order, null);
    assert.deepEqual(fromSet.data, fromNorm.data);
    assert.deepEqual(fromRaw.data, fromNorm.data);
    assert.deepEqual(fromSet.rows, fromNorm.rows);
    assert.equal(fromNorm.store, join(dir, "norm"));
    // Without a preparation only normalised crops are accepted; a side other than D's is refused.
    await assert.rejects(
      cellLatents(gan, join(dir, "raw")),
      /Cannot encode '.*raw': expected the normalised \(float32\) crops D was trained on, found raw crops/,
    );
    await assert.rejects(
      cellLatents(gan, join(dir, "set")),
      /Cannot encode '.*set': expected a crop store \(cells\.csv\) of normalised crops/,
    );
    await normalizeStore(join(dir, "raw"), join(dir, "norm24"), { ...prepare.normalization, size: 0 });
    await assert.rejects(
      cellLatents(gan, join(dir, "norm24")),
      /Cannot encode float32 crops of 24 px from '.*norm24' with a D of 16 px/,
    );
  } finally {
    gan.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});
