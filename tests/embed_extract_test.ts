/**
 * `deno task embed` reproduces `extract_lsgan`: the same saved discriminator, the same crop-set folder, the
 * crops prepared by the `crop_set` and `normalize` tasks (run here as the pipeline runs them, laid out in a
 * cache with their manifests) and by embed from the training's provenance. Per cell, the features agree to
 * 1e-5. On ragged synthetic plates (wells of 1–2 cells, plates without DMSO, a non-default control-cell
 * minimum) and on the real BBBC021 moa-crops (skipped without ../shared/data).
 *
 * Before embed and extract shared one code path, embed read crop-set files as DNA, tubulin, actin while the
 * crop_set task reads them as DNA, actin, tubulin: on moa-crops the features differed by up to 0.28 per site
 * mean for an untrained D (0.42 for trained ones).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { cropSet } from "../tasks/crop_set.ts";
import { normalize } from "../tasks/normalize.ts";
import { EXTRACT_TASKS } from "../tasks/models.ts";

const extractLsgan = EXTRACT_TASKS.find((t) => t.name === "extract_lsgan")!;
import { resolveParams } from "../workflow/params.ts";
import type { AnyTask } from "../workflow/task.ts";
import { parseCsvGrid } from "../lib/data/csv.ts";
import { haveSharedData, SHARED_DATA, writeRaggedCropSet } from "../lib/data/test_util.ts";
import { readCropTable } from "../lib/imaging/crop_store.ts";
import { selectBackend } from "../lib/models/backend.ts";
import { embedCrops } from "../lib/models/embed.ts";
import { Gan, ganConfig } from "../lib/models/gan.ts";
import { saveGan } from "../lib/models/weights.ts";
import { readFeatureSet } from "../lib/profiling/feature_store.ts";

const KEYS = {
  set: "c0".repeat(32),
  norm: "d1".repeat(32),
  train: "e2".repeat(32),
  extract: "f3".repeat(32),
};

/** Runs a task's `run` into `out` (a cache object folder) and writes a manifest as the store does. */
async function runTask(
  task: AnyTask,
  key: string,
  objects: string,
  values: Record<string, unknown>,
  inputs: Record<string, string>,
): Promise<Record<string, unknown>> {
  const out = join(objects, key);
  await Deno.mkdir(out, { recursive: true });
  const params = resolveParams(task.name, task.params, [{ source: "test", values }]);
  await task.run({
    name: task.name,
    key,
    params: params as never,
    inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, join(objects, v)])) as never,
    out,
    checkpoint: join(objects, "..", "checkpoints", key),
    root: Deno.cwd(),
    log: { debug() {}, info() {}, warn() {} },
    progress: { start() {}, tick() {}, set() {}, note() {} },
    signal: new AbortController().signal,
    settings: { jobs: 1, backend: "wasm", logLevel: "info" },
    threads: 1,
    record() {},
  });
  await Deno.writeTextFile(
    join(out, "manifest.json"),
    JSON.stringify({ key, components: { task: task.name, params }, inputKeys: inputs }),
  );
  return params as Record<string, unknown>;
}

/**
 * The pipeline's path (crop_set → normalize → a saved D as train_lsgan's output → extract_lsgan) and embed on
 * the same folder; returns the largest |Δ| per cell and per site mean, and the features' mean |value|.
 */
async function compare(
  folder: string,
  options: { size: number; width: number; normalize: Record<string, unknown> },
) {
  await selectBackend("wasm");
  const tmp = await Deno.makeTempDir({ prefix: "morphogan-embed-extract-" });
  try {
    const objects = join(tmp, "cache", "objects");
    await runTask(cropSet, KEYS.set, objects, { dir: folder }, {});
    await runTask(normalize, KEYS.norm, objects, { size: options.size, ...options.normalize }, {
      crops: KEYS.set,
    });
    const gan = new Gan(ganConfig({ loss: "lsgan", size: options.size, width: options.width }), undefined, 7);
    await saveGan(gan, join(objects, KEYS.train, "model"));
    gan.dispose();
    await Deno.writeTextFile(
      join(objects, KEYS.train, "manifest.json"),
      JSON.stringify({
        key: KEYS.train,
        components: { task: "train_lsgan" },
        inputKeys: { crops: KEYS.norm },
      }),
    );
    await runTask(extractLsgan, KEYS.extract, objects, {}, { crops: KEYS.norm, model: KEYS.train });
    const extracted = await readFeatureSet(join(objects, KEYS.extract));
    const lines: string[] = [];
    await embedCrops({
      model: KEYS.train.slice(0, 10),
      objects,
      crops: folder,
      out: join(tmp, "embed.csv"),
      log: (l) => lines.push(l),
    });
    const grid = parseCsvGrid(await Deno.readTextFile(join(tmp, "embed.csv")));
    const col = (name: string) => grid.header.indexOf(name);
    const [plate, well, site, f0] = ["plate", "well", "site", "f0"].map(col);
    const d = extracted.names.length;
    assert.equal(grid.header.length - f0, d);
    // Cells are matched by plate, well, site and rank within them (the store keeps the index's order there).
    const siteOf = (s: string) => Number(/(\d+)\s*$/.exec(s)![1]);
    const keyed = (keys: string[]) => {
      const seen = new Map<string, number>();
      return keys.map((k) => {
        const n = seen.get(k) ?? 0;
        seen.set(k, n + 1);
        return `${k}#${n}`;
      });
    };
    const storeRows = await readCropTable(join(objects, KEYS.norm));
    const extractKeys = keyed(storeRows.map((r) => `${r.plate}/${r.well}/${r.site}`));
    const embedKeys = keyed(grid.rows.map((r) => `${r[plate]}/${r[well]}/${siteOf(r[site])}`));
    const embedRow = new Map(embedKeys.map((k, i) => [k, i]));
    assert.equal(embedRow.size, extractKeys.length);
    let cellMax = 0, magnitude = 0;
    const sites = new Map<string, { n: number; a: Float64Array; b: Float64Array }>();
    extractKeys.forEach((k, i) => {
      const row = grid.rows[embedRow.get(k)!];
      const s = k.slice(0, k.lastIndexOf("#"));
      let acc = sites.get(s);
      if (!acc) sites.set(s, acc = { n: 0, a: new Float64Array(d), b: new Float64Array(d) });
      acc.n++;
      for (let j = 0; j < d; j++) {
        const a = extracted.data[i * d + j], b = Number(row[f0 + j]);
        cellMax = Math.max(cellMax, Math.abs(a - b));
        magnitude += Math.abs(a);
        acc.a[j] += a;
        acc.b[j] += b;
      }
    });
    let siteMax = 0;
    for (const { n, a, b } of sites.values()) {
      for (let j = 0; j < d; j++) siteMax = Math.max(siteMax, Math.abs(a[j] - b[j]) / n);
    }
    return {
      cellMax,
      siteMax,
      magnitude: magnitude / (extractKeys.length * d),
      cells: extractKeys.length,
      lines,
    };
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

Deno.test("embed = extract_lsgan on ragged synthetic plates (no DMSO on a plate, wells of 1–2 cells)", async () => {
  const folder = await Deno.makeTempDir({ prefix: "morphogan-ragged-" });
  try {
    const n = await writeRaggedCropSet(folder);
    // A control-cell minimum of 3 (not the default 8) must reach embed through the provenance: with 8, both
    // Week2 plates would take their own cells' scaling instead of their batch's and their own DMSO's.
    const r = await compare(folder, { size: 16, width: 1 / 16, normalize: { minControlCells: 3 } });
    assert.equal(r.cells, n);
    assert.ok(r.magnitude > 0.01, `features are not all zero: mean |f| ${r.magnitude}`);
    assert.ok(r.cellMax <= 1e-5, `max |Δ| per cell ${r.cellMax} (mean |f| ${r.magnitude})`);
    assert.ok(
      r.lines.some((l) => /read as dna-actin-tubulin \(as the training's crop_set\)/.test(l)),
      r.lines.join("\n"),
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test({
  name: "embed = extract_lsgan on real BBBC021 moa-crops, per cell to 1e-5",
  ignore: !haveSharedData("bbbc021/moa-crops", "the embed-vs-extract test on real moa-crops"),
  fn: async () => {
    const r = await compare(join(SHARED_DATA, "bbbc021", "moa-crops"), {
      size: 32,
      width: 0.25,
      normalize: {},
    });
    assert.equal(r.cells, 1996);
    assert.ok(r.magnitude > 0.01, `mean |f| ${r.magnitude}`);
    assert.ok(r.cellMax <= 1e-5, `max |Δ| per cell ${r.cellMax}, per site mean ${r.siteMax}`);
  },
});
