import assert from "node:assert/strict";
import { join } from "node:path";
import { readBbbc021Metadata } from "../data/bbbc021.ts";
import { resolveSyntheticOptions, synthesizeBbbc021 } from "../data/synthetic.ts";
import { mergeSegmentations } from "./merge_segmentations.ts";
import { segmentDataset } from "./plate.ts";

/** Every file under `dir`, relative path → bytes. */
async function tree(dir: string, rel = ""): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for await (const e of Deno.readDir(join(dir, rel))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) { for (const [k, v] of await tree(dir, r)) out.set(k, v); }
    else out.set(r, await Deno.readFile(join(dir, r)));
  }
  return out;
}

Deno.test("mergeSegmentations: one plate at a time, merged = the whole dataset at once, byte for byte", async () => {
  const root = await Deno.makeTempDir({ prefix: "morphogan-merge-" });
  try {
    const data = join(root, "data");
    await synthesizeBbbc021(
      data,
      resolveSyntheticOptions({ seed: 3, masks: false, width: 160, height: 160 }, "tiny"),
    );
    const meta = await readBbbc021Metadata(data);
    const plates = [...new Set(meta.fields.map((f) => f.plate))];
    assert.ok(plates.length >= 2);
    const options = { cropSize: 16, diameter: 12 };
    /** Segments the whole and each plate (last first), merges the plates, and compares every file. */
    const check = async (tag: string) => {
      await segmentDataset(data, join(root, `whole-${tag}`), options);
      const parts: string[] = [];
      for (const plate of [...plates].reverse()) {
        const dir = join(root, `part-${tag}-${plate}`);
        await segmentDataset(data, dir, { ...options, plates: [plate], allowNoFields: true });
        parts.push(dir);
      }
      const summary = await mergeSegmentations(data, parts, join(root, `merged-${tag}`));
      const [whole, merged] = [
        await tree(join(root, `whole-${tag}`)),
        await tree(join(root, `merged-${tag}`)),
      ];
      assert.deepEqual([...merged.keys()].sort(), [...whole.keys()].sort());
      for (const [path, bytes] of whole) assert.deepEqual(merged.get(path), bytes, `${tag}: ${path}`);
      return { summary, parts };
    };
    const all = await check("all");
    assert.equal(all.summary.plates, plates.length);
    // The last plate absent from the folder (a partial copy): its part is empty, the whole counts it absent.
    const last = plates.at(-1)!;
    for (const f of meta.fields.filter((f) => f.plate === last)) {
      for (const file of f.files) await Deno.remove(join(data, file));
    }
    const partial = await check("partial");
    assert.equal(partial.summary.plates, plates.length - 1);
    assert.equal(partial.summary.absent, meta.fields.filter((f) => f.plate === last).length);
    const parts = all.parts;
    // A part with a damaged report is one error naming the file.
    await Deno.writeTextFile(join(parts[0], "report.json"), "{ not json");
    await assert.rejects(
      () => mergeSegmentations(data, parts, join(root, "damaged")),
      new RegExp(`cannot read ${join(parts[0], "report.json")}`),
    );
    // A plate in two parts is an error that names it.
    await assert.rejects(
      () => mergeSegmentations(data, [parts.at(-1)!, parts.at(-1)!], join(root, "twice")),
      /plate '.+' is in more than one part/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
