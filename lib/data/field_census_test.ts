import assert from "node:assert/strict";
import { join } from "node:path";
import type { Bbbc021Field } from "./bbbc021.ts";
import { censusFields, missingFilesMessage, platesPresent } from "./field_census.ts";

function field(plate: string, site: number): Bbbc021Field {
  const dir = `Week1/${plate}`;
  return {
    plate,
    well: "B02",
    site,
    compound: "DMSO",
    concentration: 0,
    moa: "DMSO",
    batch: "Week1",
    replicate: 1,
    files: [1, 2, 4].map((w) => `${dir}/B02_s${site}_w${w}.tif`) as [string, string, string],
  };
}

Deno.test("censusFields sorts fields into complete, incomplete and absent, in table order", async () => {
  const root = await Deno.makeTempDir({ prefix: "morphogan-census-" });
  try {
    const fields = [field("Week1_1", 1), field("Week1_1", 2), field("Week1_1", 3), field("Week1_2", 1)];
    await Deno.mkdir(join(root, "Week1/Week1_1"), { recursive: true });
    for (const f of fields[0].files) await Deno.writeFile(join(root, f), new Uint8Array(1));
    // Site 2 lacks its actin file; site 3 has no file; plate Week1_2 has no folder.
    for (const f of fields[1].files.slice(0, 2)) await Deno.writeFile(join(root, f), new Uint8Array(1));
    const c = await censusFields(root, fields);
    assert.deepEqual(c.complete, [fields[0]]);
    assert.deepEqual(c.incomplete, [{ field: fields[1], missing: [2] }]);
    assert.deepEqual(c.absent, [fields[2], fields[3]]);
    assert.equal(
      missingFilesMessage(c.incomplete[0]),
      "no actin file 'Week1/Week1_1/B02_s2_w4.tif' (DNA and tubulin are present)",
    );
    assert.equal(
      missingFilesMessage({ field: fields[1], missing: [1, 2] }),
      "no tubulin and actin files 'Week1/Week1_1/B02_s2_w2.tif', 'Week1/Week1_1/B02_s2_w4.tif' (DNA is present)",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("platesPresent finds the plates whose folder exists; a folder without any is a clear error", async () => {
  const root = await Deno.makeTempDir({ prefix: "morphogan-plates-" });
  try {
    const fields = [field("Week1_1", 1), field("Week1_2", 1), field("Week1_3", 1)];
    await assert.rejects(
      platesPresent(root, fields),
      /expected plate folders as the BBBC021_v1_image.csv paths give them \(e\.g\. '.*Week1\/Week1_1'\), found none of its 3 plates/,
    );
    await Deno.mkdir(join(root, "Week1/Week1_2"), { recursive: true });
    assert.deepEqual(await platesPresent(root, fields), { plates: ["Week1_2"], listed: 3 });
    assert.deepEqual(await platesPresent(root, fields, ["Week1_2"]), { plates: ["Week1_2"], listed: 3 });
    await assert.rejects(
      platesPresent(root, fields, ["Week1_3"]),
      /Cannot use plate 'Week1_3': expected its folder '.*Week1\/Week1_3', found none/,
    );
    await assert.rejects(
      platesPresent(root, fields, ["Week9_9"]),
      /expected a plate of BBBC021_v1_image.csv/,
    );
    await assert.rejects(
      platesPresent(join(root, "nope"), fields),
      /'.*nope' as a BBBC021 image folder: expected a folder/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
