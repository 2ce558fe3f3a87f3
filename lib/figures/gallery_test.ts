import assert from "node:assert/strict";
import { join } from "node:path";
import { decode } from "fast-png";
import { cropSetToStore } from "../data/crop_set_store.ts";
import { haveSharedData, SHARED_DATA, writeRaggedCropSet } from "../data/test_util.ts";
import { normalizeStore, STORE_NORMALIZATION_DEFAULTS } from "../imaging/normalize_store.ts";
import { makeGallery } from "./gallery.ts";
import { syntheticCrops, writeCropStore } from "./test_util.ts";

/** A store of 30 cells: DMSO (12, two plates), taxol@1 (10), taxol@3 (8, unannotated MOA). */
async function writeStore(dir: string, dtype: "float32" | "uint16" = "float32"): Promise<void> {
  const crops = syntheticCrops(30, 16, 7);
  await writeCropStore(
    dir,
    dtype === "float32" ? crops : Uint16Array.from(crops, (v) => Math.round((v + 1) * 1000)),
    16,
    (i) => {
      const [compound, concentration, moa] = i < 12
        ? ["DMSO", 0, "DMSO"] as const
        : i < 22
        ? ["taxol", 1, "Microtubule stabilizers"] as const
        : ["taxol", 3, null] as const;
      return {
        plate: i % 2 ? "P2" : "P1",
        well: `B0${2 + (i % 3)}`,
        compound,
        concentration,
        moa,
        batch: i % 2 ? "Week2" : "Week1",
      };
    },
  );
}

Deno.test("makeGallery: counts, a strip per treatment and MOA, deterministic for the seed", async () => {
  const dir = await Deno.makeTempDir();
  await writeStore(join(dir, "crops"));
  const g = await makeGallery(join(dir, "crops"), join(dir, "out"), { seed: 1, perTreatment: 4, perMoa: 9 });
  assert.deepEqual(g.counts, {
    plates: 2,
    batches: 2,
    wells: 6,
    treatments: 3,
    compounds: 2,
    moas: 1,
    cells: 30,
  });
  assert.deepEqual(g.treatments.map((t) => [t.treatment, t.moa, t.cells, t.n]), [
    ["DMSO@0", "DMSO", 12, 4],
    ["taxol@1", "Microtubule stabilizers", 10, 4],
    ["taxol@3", null, 8, 4],
  ]);
  assert.deepEqual(g.moas.map((m) => [m.moa, m.cells, m.treatments, m.n]), [
    ["DMSO", 12, 1, 9],
    ["Microtubule stabilizers", 10, 1, 9],
    ["unannotated", 8, 1, 8],
  ]);
  assert.deepEqual(g.plates.map((p) => [p.plate, p.cells]), [["P1", 15], ["P2", 15]]);
  assert.equal(g.scale, 4);
  // Strips: n tiles of 16·4 px with 2 px gaps, and real pixels (not blank).
  const png = decode(await Deno.readFile(join(dir, "out", g.treatments[1].image)));
  assert.equal(png.width, 4 * 64 + 5 * 2);
  assert.equal(png.height, 64 + 2 * 2);
  const values = new Set(png.data);
  assert.ok(values.size > 10, "the strip has image content");
  const json = JSON.parse(await Deno.readTextFile(join(dir, "out/gallery.json")));
  assert.deepEqual(json, JSON.parse(JSON.stringify(g)));
  // Same seed → same bytes.
  const again = await makeGallery(join(dir, "crops"), join(dir, "again"), {
    seed: 1,
    perTreatment: 4,
    perMoa: 9,
  });
  assert.deepEqual(again, g);
  assert.deepEqual(
    await Deno.readFile(join(dir, "again", g.moas[0].image)),
    await Deno.readFile(join(dir, "out", g.moas[0].image)),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("makeGallery: raw crops are refused with the store's name", async () => {
  const dir = await Deno.makeTempDir();
  await writeStore(join(dir, "raw"), "uint16");
  await assert.rejects(
    makeGallery(join(dir, "raw"), join(dir, "out"), { seed: 1, perTreatment: 4, perMoa: 9 }),
    /Cannot make a gallery of '.*raw': expected normalised \(float32\) crops/,
  );
  await Deno.remove(dir, { recursive: true });
});

/** Fraction of a strip's pixels whose DNA (red) is clipped at 255. */
async function dnaClipped(file: string): Promise<number> {
  const png = decode(await Deno.readFile(file));
  let n = 0;
  for (let i = 0; i < png.width * png.height; i++) if (png.data[i * png.channels] >= 255) n++;
  return n / (png.width * png.height);
}

Deno.test("makeGallery: a plate with one dim DMSO cell no longer saturates its cells' strip", async () => {
  const dir = await Deno.makeTempDir({ prefix: "morphogan-gallery-" });
  try {
    // Week1_A: ten DMSO cells; Week1_B: one dim DMSO cell (0.6 of a typical cell) and cells of AZ-C.
    await writeRaggedCropSet(join(dir, "set"), 24, [
      { plate: "Week1_A", batch: "Week1", gain: 1, wells: [["DMSO", 5], ["DMSO", 5], ["ALLN", 2]] },
      {
        plate: "Week1_B",
        batch: "Week1",
        gain: 1,
        dmsoBright: 0.6,
        wells: [["DMSO", 1], ["AZ-C", 2], ["AZ-C", 2], ["AZ-C", 2]],
      },
    ]);
    await cropSetToStore(join(dir, "set"), join(dir, "raw"), { channelOrder: "dna-actin-tubulin" });
    await normalizeStore(join(dir, "raw"), join(dir, "norm"), STORE_NORMALIZATION_DEFAULTS);
    const g = await makeGallery(join(dir, "norm"), join(dir, "out"), { seed: 0, perTreatment: 6, perMoa: 6 });
    assert.deepEqual(g.plates.map((p) => [p.plate, p.scaling]), [
      ["Week1_A", { source: "plate-dmso", cells: 10 }],
      ["Week1_B", { source: "batch-dmso", cells: 11 }],
    ]);
    assert.match(g.scaling!, /1 from their own DMSO cells \(≥ 8\), 1 from their batch's DMSO cells/);
    // AZ-C's cells are as bright as Week1_A's: their nuclei fit in the batch's DMSO range. Scaled by the one
    // dim cell (the previous rule), their nuclei were clipped.
    const azc = g.treatments.find((t) => t.compound === "AZ-C")!;
    const now = await dnaClipped(join(dir, "out", azc.image));
    await normalizeStore(join(dir, "raw"), join(dir, "old"), {
      ...STORE_NORMALIZATION_DEFAULTS,
      minControlCells: 1,
    });
    const old = await makeGallery(join(dir, "old"), join(dir, "out-old"), {
      seed: 0,
      perTreatment: 6,
      perMoa: 6,
    });
    const before = await dnaClipped(
      join(dir, "out-old", old.treatments.find((t) => t.compound === "AZ-C")!.image),
    );
    assert.ok(
      now < 0.01 && before > 0.05,
      `DNA clipped in AZ-C's strip: ${now} now, ${before} with one-cell scaling`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "makeGallery on real BBBC021 moa-crops: strips' nuclei are not clipped by one-cell plate scalings",
  ignore: !haveSharedData("bbbc021/moa-crops", "the gallery test on real moa-crops"),
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "morphogan-gallery-real-" });
    try {
      const set = join(SHARED_DATA, "bbbc021", "moa-crops");
      await cropSetToStore(set, join(dir, "raw"), { channelOrder: "dna-actin-tubulin" });
      await normalizeStore(join(dir, "raw"), join(dir, "norm"), {
        ...STORE_NORMALIZATION_DEFAULTS,
        size: 32,
      });
      const g = await makeGallery(join(dir, "norm"), join(dir, "out"), {
        seed: 0,
        perTreatment: 6,
        perMoa: 12,
      });
      assert.equal(g.plates.length, 55);
      assert.ok(g.plates.every((p) => p.scaling?.source === "batch-dmso"));
      // Strips whose nuclei are clipped (> 5 % of the strip's pixels at full red): 27 of 117 when each plate
      // was scaled by its own one to six DMSO cells; DNA content hardly varies between treatments, so few now.
      const strips = [...g.treatments, ...g.moas];
      assert.equal(strips.length, 117);
      let clipped = 0;
      for (const s of strips) if (await dnaClipped(join(dir, "out", s.image)) > 0.05) clipped++;
      assert.ok(clipped <= 5, `${clipped} of ${strips.length} strips have clipped nuclei`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
