import assert from "node:assert/strict";
import { join } from "node:path";
import {
  planSyntheticDataset,
  renderSyntheticField,
  resolveSyntheticOptions,
  synthesizeBbbc021,
  syntheticMaskPaths,
} from "./synthetic.ts";
import { readBbbc021Metadata, summarizeBbbc021 } from "./bbbc021.ts";
import { loadField } from "./field.ts";
import { readTiff } from "./tiff.ts";

Deno.test("resolveSyntheticOptions rejects unknown keys and bad values", () => {
  assert.throws(
    () => resolveSyntheticOptions({ sede: 1 }),
    /Unknown synthetic option 'sede': expected one of seed, width/,
  );
  assert.throws(
    () => resolveSyntheticOptions({ width: 10 }),
    /option width: expected an integer in \[32, 8192\], found 10/,
  );
  assert.throws(
    () => resolveSyntheticOptions({ masks: "yes" }),
    /option masks: expected true or false, found "yes"/,
  );
  assert.throws(() => resolveSyntheticOptions({ plates: 3, batches: 4 }), /expected batches ≤ plates/);
  assert.throws(() => resolveSyntheticOptions({ platesPerBatch: [5, 5] }), /expected 10 positive integers/);
  assert.throws(() => resolveSyntheticOptions({}, "huge" as never), /Unknown synthetic preset 'huge'/);
  assert.equal(resolveSyntheticOptions({ seed: 4 }, "tiny").width, 256);
  assert.throws(
    () => planSyntheticDataset(resolveSyntheticOptions({ plates: 2, batches: 1 })),
    /treatment wells do not fit in 2 plates of 60 wells/,
  );
});

Deno.test("the full preset plans the BBBC021 layout: 13,200 fields, 55 plates, 10 batches", () => {
  const plan = planSyntheticDataset(resolveSyntheticOptions({}, "full"));
  assert.equal(plan.fields.length, 13200);
  assert.equal(new Set(plan.fields.map((f) => f.plate)).size, 55);
  assert.equal(new Set(plan.fields.map((f) => f.batch)).size, 10);
  const dmso = plan.fields.filter((f) => f.compound === "DMSO").length;
  assert.equal(dmso, 55 * 6 * 4);
  assert.equal(plan.moaRows.length, 104);
  // Every treatment of a compound stays in one batch; MOA-labelled fields as in BBBC021's order of magnitude.
  const batchOf = new Map<string, Set<string>>();
  for (const f of plan.fields) {
    if (f.moa && f.compound !== "DMSO" && f.compound !== "taxol") {
      (batchOf.get(f.compound) ?? batchOf.set(f.compound, new Set()).get(f.compound)!).add(f.batch);
    }
  }
  assert.equal(batchOf.size, 37);
  assert.ok([...batchOf.values()].every((s) => s.size === 1));
  // DMSO (6 a plate), the taxol control (1 a plate) and 103 treatments × 3 replicates, 4 sites each.
  assert.equal(plan.fields.filter((f) => f.moa !== null).length, (55 * 6 + 55 + 309) * 4);
  assert.ok(plan.fields.some((f) => f.moa === null), "unannotated filler compounds");
});

Deno.test("the default preset uses all 103 treatments × 3 replicates on 10 plates", () => {
  const plan = planSyntheticDataset(resolveSyntheticOptions());
  const treat = plan.fields.filter((f) => f.compound !== "DMSO");
  assert.equal(treat.length, 309);
  assert.equal(new Set(treat.map((f) => `${f.compound}@${f.concentration}`)).size, 103);
  const wells = new Set(plan.fields.map((f) => `${f.plate}/${f.well}`));
  assert.equal(wells.size, plan.fields.length, "one field per well, no well used twice");
});

Deno.test("synthesizeBbbc021 tiny: a BBBC021-format dataset the real readers load, with masks; deterministic", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const opts = resolveSyntheticOptions({ seed: 11 }, "tiny");
    let last = 0;
    const sum = await synthesizeBbbc021(dir, opts, { onProgress: (d) => (last = d) });
    assert.equal(sum.fields, 16);
    assert.equal(last, 16);
    const meta = await readBbbc021Metadata(dir);
    const s = summarizeBbbc021(meta);
    assert.equal(s.fields, 16);
    assert.equal(s.plates, 2);
    assert.equal(s.batches, 2);
    assert.equal(s.moas, 12);
    assert.equal(s.moaTreatments, 12);
    assert.equal(s.moaFields, 16);
    assert.equal(s.dmsoFields, 4);
    const f = meta.fields.find((x) => x.compound !== "DMSO")!;
    assert.ok(f.moa !== null && f.moa !== "DMSO");
    const img = await loadField(dir, f, { expectSize: { width: 256, height: 256 }, expectBitDepth: [16] });
    const masks = syntheticMaskPaths(dir, f);
    const cells = await readTiff(masks.cells), nuclei = await readTiff(masks.nuclei);
    assert.equal(cells.width, 256);
    let maxLabel = 0;
    for (let i = 0; i < cells.data.length; i++) {
      maxLabel = Math.max(maxLabel, cells.data[i]);
      if (nuclei.data[i]) assert.equal(nuclei.data[i], cells.data[i]);
    }
    assert.ok(maxLabel > 3, `cells in field: ${maxLabel}`);
    // The written pixels are the renderer's output for that field (determinism, also across runs).
    const plan = planSyntheticDataset(opts);
    const pf = plan.fields.find((x) => x.plate === f.plate && x.well === f.well && x.site === f.site)!;
    assert.deepEqual(renderSyntheticField(plan, pf).channels[2], img.channels[2]);
    const json = JSON.parse(await Deno.readTextFile(join(dir, "synthetic.json")));
    assert.equal(json.options.seed, 11);
    const leftovers = [];
    for await (const e of Deno.readDir(join(dir, f.batch, f.plate))) {
      if (e.name.endsWith(".part")) leftovers.push(e.name);
    }
    assert.deepEqual(leftovers, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("synthesizeBbbc021 with 2 workers writes byte-identical files to a serial run", async () => {
  const options = resolveSyntheticOptions({ seed: 7, width: 128, height: 128 }, "tiny");
  const serial = await Deno.makeTempDir();
  const parallel = await Deno.makeTempDir();
  let progress = 0;
  const a = await synthesizeBbbc021(serial, options, { jobs: 1 });
  const b = await synthesizeBbbc021(parallel, options, { jobs: 2, onProgress: (done) => (progress = done) });
  assert.equal(progress, a.fields);
  assert.equal(b.cells, a.cells);
  const files = async (root: string): Promise<string[]> => {
    const out: string[] = [];
    const walk = async (d: string) => {
      for await (const e of Deno.readDir(d)) {
        if (e.isDirectory) await walk(join(d, e.name));
        else out.push(join(d, e.name).slice(root.length));
      }
    };
    await walk(root);
    return out.sort();
  };
  const list = await files(serial);
  assert.deepEqual(await files(parallel), list);
  assert.ok(list.length > 3 * a.fields);
  for (const f of list) {
    assert.deepEqual(await Deno.readFile(join(parallel, f)), await Deno.readFile(join(serial, f)), f);
  }
  await Deno.remove(serial, { recursive: true });
  await Deno.remove(parallel, { recursive: true });
});

Deno.test("synthesizeBbbc021 stops when its signal is aborted", async () => {
  const out = await Deno.makeTempDir();
  const controller = new AbortController();
  const run = synthesizeBbbc021(out, resolveSyntheticOptions({ width: 128, height: 128 }, "tiny"), {
    jobs: 2,
    signal: controller.signal,
    onProgress: (done) => done === 2 && controller.abort(new Error("stop now")),
  });
  await assert.rejects(run, /stop now/);
  const list = async () => {
    const files: string[] = [];
    for await (const e of Deno.readDir(out)) files.push(e.name);
    for (const week of files.filter((f) => f.startsWith("Week"))) {
      for await (const e of Deno.readDir(`${out}/${week}`)) files.push(`${week}/${e.name}`);
    }
    return files.sort();
  };
  const names = await list();
  assert.ok(!names.includes("synthetic.json"), "an aborted dataset must not be marked complete");
  // The workers stopped before the promise settled: nothing is written afterwards.
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(await list(), names);
  await Deno.remove(out, { recursive: true });
});
