import assert from "node:assert/strict";
import { join } from "node:path";
import { DATASET_JSON, openDataset } from "./dataset.ts";
import { IMAGE_CSV, MOA_CSV } from "./bbbc021.ts";

Deno.test("openDataset: images in the dataset itself, or where dataset.json says", async () => {
  const dir = await Deno.makeTempDir();
  await assert.rejects(
    openDataset(dir),
    new RegExp(`Cannot open dataset '.*': expected ${IMAGE_CSV}, found none`),
  );
  await Deno.writeTextFile(join(dir, IMAGE_CSV), "");
  await Deno.writeTextFile(join(dir, MOA_CSV), "");
  assert.deepEqual(await openDataset(dir), { metadataDir: dir, imageRoot: dir });
  await Deno.writeTextFile(
    join(dir, DATASET_JSON),
    JSON.stringify({ imageRoot: "/data/bbbc021", source: "x" }),
  );
  assert.deepEqual(await openDataset(dir), { metadataDir: dir, imageRoot: "/data/bbbc021" });
  await Deno.writeTextFile(
    join(dir, DATASET_JSON),
    JSON.stringify({ imageRoot: "images", plates: ["Week1_1"] }),
  );
  assert.deepEqual(await openDataset(dir), {
    metadataDir: dir,
    imageRoot: join(dir, "images"),
    plates: ["Week1_1"],
  });
  await Deno.writeTextFile(join(dir, DATASET_JSON), "{");
  await assert.rejects(openDataset(dir), /Cannot read .*dataset.json/);
  await Deno.writeTextFile(join(dir, DATASET_JSON), "{}");
  await assert.rejects(openDataset(dir), /expected a string imageRoot, found undefined/);
  await Deno.remove(dir, { recursive: true });
});
