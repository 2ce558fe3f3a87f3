import assert from "node:assert/strict";
import { join } from "node:path";
import { decode } from "fast-png";
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
