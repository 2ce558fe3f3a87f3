/**
 * The data source tasks, run by the real engine CLI in a temporary cache: `synthesize` through the project
 * pipeline (tiny profile), and `fetch_bbbc021` against a real HTTP server on 127.0.0.1 serving zipped plates.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { zipSync } from "fflate";
import { readBbbc021Metadata, summarizeBbbc021 } from "../lib/data/bbbc021.ts";
import { openDataset } from "../lib/data/dataset.ts";
import { loadField } from "../lib/data/field.ts";
import { resolveSyntheticOptions, synthesizeBbbc021 } from "../lib/data/synthetic.ts";

const ROOT = new URL("..", import.meta.url).pathname;

async function cli(
  module: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", join(ROOT, module), ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { CI: "1", NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("synthesize (tiny profile) makes a BBBC021-format dataset; --jobs does not change it", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "morphogan-synth-" });
  const common = [
    "--profile",
    "tiny",
    "--cache",
    join(tmp, "cache"),
    "--results",
    join(tmp, "results"),
    "--until",
    "synthesize",
  ];
  const a = await cli("tasks/pipeline.ts", ["reproduce", "--jobs", "2", ...common]);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /^synthesize\s+ran/m);
  const status = await cli("tasks/pipeline.ts", ["status", "--json", ...common.slice(0, 6)]);
  const plan = JSON.parse(status.stdout).find((t: { task: string }) => t.task === "synthesize");
  assert.equal(plan.state, "cached");
  const object = join(tmp, "cache", "objects", plan.key);
  const where = await openDataset(object);
  const meta = await readBbbc021Metadata(where.metadataDir);
  const summary = summarizeBbbc021(meta);
  assert.equal(summary.fields, 28); // 2 plates × (12 treatments + 2 DMSO wells)
  assert.equal(summary.plates, 2);
  const field = await loadField(where.imageRoot, meta.fields[0], {
    expectSize: { width: 256, height: 256 },
    expectBitDepth: [16],
  });
  assert.equal(field.channels.length, 3);
  assert.ok(field.channels[0].some((v) => v > 0));
  const manifest = JSON.parse(await Deno.readTextFile(join(object, "manifest.json")));
  assert.equal(manifest.settings.jobs, 2);
  // A forced rerun on one worker reproduces the same output digest.
  const b = await cli("tasks/pipeline.ts", ["reproduce", "--jobs", "1", "--force", "synthesize", ...common]);
  assert.equal(b.code, 0, b.stderr);
  const again = JSON.parse(await Deno.readTextFile(join(object, "manifest.json")));
  assert.equal(again.outputDigest, manifest.outputDigest);
  assert.equal(again.settings.jobs, 1);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("fetch_bbbc021 downloads zipped plates from a server and outputs a dataset pointing at them", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "morphogan-fetch-" });
  // What the server holds: a tiny synthetic BBBC021-format dataset, one zip per plate (as the real archives).
  const source = join(tmp, "source");
  await synthesizeBbbc021(source, resolveSyntheticOptions({ width: 64, height: 64, masks: false }, "tiny"));
  const meta = await readBbbc021Metadata(source);
  const plates = [...new Set(meta.fields.map((f) => f.plate))];
  const served = new Map<string, Uint8Array>();
  for (const f of ["BBBC021_v1_image.csv", "BBBC021_v1_moa.csv"]) {
    served.set(f, await Deno.readFile(join(source, f)));
  }
  for (const plate of plates) {
    const week = plate.split("_")[0];
    const files: Record<string, Uint8Array> = {};
    for await (const e of Deno.readDir(join(source, week, plate))) {
      files[`${plate}/${e.name}`] = await Deno.readFile(join(source, week, plate, e.name));
    }
    served.set(`BBBC021_v1_images_${plate}.zip`, zipSync(files, { level: 1 }));
  }
  const requests: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const name = new URL(req.url).pathname.slice(1);
    requests.push(name);
    const body = served.get(name);
    return body ? new Response(body.slice()) : new Response("not found", { status: 404 });
  });
  try {
    const base = `http://127.0.0.1:${server.addr.port}/`;
    const dataDir = join(tmp, "data");
    const args = [
      "--until",
      "fetch_bbbc021",
      "--cache",
      join(tmp, "cache"),
      "--results",
      join(tmp, "results"),
      "--param",
      `fetch_bbbc021.baseUrl=${base}`,
      "--param",
      `fetch_bbbc021.dataDir=${dataDir}`,
      "--param",
      `fetch_bbbc021.plates=${plates.join(",")}`,
    ];
    const r = await cli("tests/fixtures/sources_pipeline.ts", ["reproduce", ...args]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(requests.length, 2 + plates.length);
    // (status would show the next key: the download changed the data folder's fingerprint.)
    const record = JSON.parse(await Deno.readTextFile(join(tmp, "cache", "runs", "test.json")));
    const object = join(tmp, "cache", "objects", record.tasks.fetch_bbbc021.key);
    const where = await openDataset(object);
    assert.equal(where.imageRoot, dataDir);
    assert.deepEqual(where.plates, plates);
    const fetched = await readBbbc021Metadata(where.metadataDir);
    const field = await loadField(where.imageRoot, fetched.fields[3], {
      expectSize: { width: 64, height: 64 },
    });
    const original = await loadField(source, meta.fields[3]);
    assert.deepEqual(field.channels, original.channels);
    // The data folder now has a new fingerprint: the task reruns once (verifying, downloading nothing) and
    // reproduces its output; then everything is cached.
    const again = await cli("tests/fixtures/sources_pipeline.ts", ["reproduce", ...args]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(requests.length, 2 + plates.length, "nothing may be downloaded twice");
    const third = await cli("tests/fixtures/sources_pipeline.ts", ["status", ...args.slice(2)]);
    assert.match(third.stdout, /fetch_bbbc021\s+cached/);
    // A missing plate on the server is one clear error naming its URL.
    const bad = await cli("tests/fixtures/sources_pipeline.ts", [
      "reproduce",
      ...args.slice(0, 8),
      "--param",
      `fetch_bbbc021.dataDir=${join(tmp, "other")}`,
      "--param",
      "fetch_bbbc021.plates=Week9_12345",
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Task 'fetch_bbbc021' failed: .*BBBC021_v1_images_Week9_12345\.zip/s);
    assert.match(bad.stderr, /404/);
  } finally {
    await server.shutdown();
    await Deno.remove(tmp, { recursive: true });
  }
});

async function writeCropFolder(dir: string, n: number, size: number): Promise<void> {
  const { encodeNpy } = await import("../lib/data/npy.ts");
  const rows = ["file,plate,well,compound,concentration,moa"];
  for (let i = 0; i < n; i++) {
    // A bright disc (the nucleus, channel 0) inside a dimmer one (the cell, channels 1 and 2).
    const data = new Uint16Array(size * size * 3);
    const c = size / 2, rn = size / 6 + (i % 3), rc = size / 3;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const d = Math.hypot(x - c, y - c), k = (y * size + x) * 3;
        data[k] = d < rn ? 3000 + 100 * i : 100;
        data[k + 1] = d < rc ? 1500 : 80;
        data[k + 2] = d < rc ? 1200 + 10 * i : 90;
      }
    }
    const well = i < n / 2 ? "B02" : "B03";
    await Deno.mkdir(join(dir, "P"), { recursive: true });
    await Deno.writeFile(
      join(dir, "P", `c${i}.npy`),
      encodeNpy({ dtype: "uint16", shape: [size, size, 3], data }),
    );
    rows.push(
      `P/c${i}.npy,Week2_1,${well},${well === "B02" ? "DMSO,0,DMSO" : "taxol,3,Microtubule stabilizers"}`,
    );
  }
  await Deno.writeTextFile(join(dir, "index.csv"), rows.join("\n") + "\n");
}

/** `--until crop_set` in a temporary cache and results folder, with `--param`s (args[2..] are the status's). */
function cropSetArgs(tmp: string, params: string[]): string[] {
  return [
    "--until",
    "crop_set",
    "--cache",
    join(tmp, "cache"),
    "--results",
    join(tmp, "results"),
    ...params.flatMap((p) => ["--param", p]),
  ];
}

Deno.test("crop_set turns a crop folder into a crop store with measured nuclei; bad crops are clear errors", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "morphogan-cropset-" });
  const { readCrops } = await import("../lib/imaging/crop_store.ts");
  const folder = join(tmp, "crops");
  await writeCropFolder(folder, 6, 24);
  const args = cropSetArgs(tmp, [`crop_set.dir=${folder}`, "crop_set.channelOrder=dna-tubulin-actin"]);
  const r = await cli("tests/fixtures/sources_pipeline.ts", ["reproduce", ...args]);
  assert.equal(r.code, 0, r.stderr);
  const status = await cli("tests/fixtures/sources_pipeline.ts", ["status", "--json", ...args.slice(2)]);
  const plan = JSON.parse(status.stdout).find((t: { task: string }) => t.task === "crop_set");
  assert.equal(plan.state, "cached");
  const store = await readCrops(join(tmp, "cache", "objects", plan.key));
  assert.equal(store.rows.length, 6);
  assert.equal(store.size, 24);
  assert.deepEqual(store.rows.map((row) => row.well), ["B02", "B02", "B02", "B03", "B03", "B03"]);
  assert.equal(store.rows[3].batch, "Week2");
  assert.equal(store.rows[3].moa, "Microtubule stabilizers");
  assert.equal(store.data[0], 100); // corner: background of the DNA channel
  // The nucleus was found: area ≈ π·r² for r = 24/6 + i%3.
  for (const [i, row] of store.rows.entries()) {
    const rn = 4 + (i % 3);
    assert.ok(Math.abs(row.nucleusArea - Math.PI * rn * rn) < 0.25 * Math.PI * rn * rn, `${row.nucleusArea}`);
    assert.ok(row.cellArea > row.nucleusArea);
  }
  // Changing a crop changes the fingerprint: the task reruns.
  await Deno.writeFile(join(folder, "P", "c0.npy"), new Uint8Array([1, 2, 3]));
  const s2 = await cli("tests/fixtures/sources_pipeline.ts", ["status", ...args.slice(2)]);
  assert.match(s2.stdout, /crop_set\s+run\s+external: data changed/);
  const bad = await cli("tests/fixtures/sources_pipeline.ts", ["reproduce", ...args]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Task 'crop_set' failed: Cannot read .*c0\.npy/);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test({
  name: "crop_set reads the 2,878 real BBBC021 crops",
  ignore: !(await import("../lib/data/test_util.ts")).haveSharedData(
    "bbbc021/crops",
    "the real crop-set test",
  ),
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "morphogan-cropset-real-" });
    const args = ["--until", "crop_set", "--cache", join(tmp, "cache"), "--results", join(tmp, "results")];
    const r = await cli("tests/fixtures/sources_pipeline.ts", ["reproduce", ...args]);
    assert.equal(r.code, 0, r.stderr);
    const status = await cli("tests/fixtures/sources_pipeline.ts", ["status", "--json", ...args.slice(2)]);
    const key = JSON.parse(status.stdout).find((t: { task: string }) => t.task === "crop_set").key;
    const { readCropTable } = await import("../lib/imaging/crop_store.ts");
    const rows = await readCropTable(join(tmp, "cache", "objects", key));
    assert.equal(rows.length, 2878);
    assert.equal(rows.filter((row) => row.compound === "DMSO").length, 2000);
    assert.equal(rows.filter((row) => row.moa === "Protein synthesis").length, 878);
    await Deno.remove(tmp, { recursive: true });
  },
});

Deno.test("crop_set trainingDirs: their cells join training only (training.csv), and normalize carries them", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "morphogan-cropset-training-" });
  const { readCrops, readCropTable, readTrainingTable } = await import("../lib/imaging/crop_store.ts");
  const { normalizeStore, STORE_NORMALIZATION_DEFAULTS } = await import("../lib/imaging/normalize_store.ts");
  const profiled = join(tmp, "profiled"), extra = join(tmp, "extra");
  await writeCropFolder(profiled, 6, 24);
  await writeCropFolder(extra, 4, 24); // the same plate and wells as the profiled folder's
  const args = cropSetArgs(tmp, [`crop_set.dir=${profiled}`, `crop_set.trainingDirs=${extra}`]);
  const r = await cli("tests/fixtures/sources_pipeline.ts", ["reproduce", ...args]);
  assert.equal(r.code, 0, r.stderr);
  const status = await cli("tests/fixtures/sources_pipeline.ts", ["status", "--json", ...args.slice(2)]);
  const plan = JSON.parse(status.stdout).find((t: { task: string }) => t.task === "crop_set");
  const store = join(tmp, "cache", "objects", plan.key);
  assert.equal((await readCropTable(store)).length, 6);
  const all = await readTrainingTable(store);
  assert.equal(all.length, 10);
  assert.ok(all.slice(6).every((row) => row.shard.startsWith("training/0/")), all[6].shard);
  const norm = join(tmp, "norm");
  await normalizeStore(store, norm, { ...STORE_NORMALIZATION_DEFAULTS, size: 16 });
  assert.equal((await readCropTable(norm)).length, 6);
  const crops = await readCrops(norm, { rows: await readTrainingTable(norm) });
  assert.equal(crops.rows.length, 10);
  assert.equal(crops.size, 16);
  assert.ok((crops.data as Float32Array).every((v) => v >= -1 && v <= 1));
  // The extra folder is part of the key: changing it reruns crop_set.
  await Deno.writeFile(join(extra, "P", "c0.npy"), new Uint8Array([1, 2, 3]));
  const s2 = await cli("tests/fixtures/sources_pipeline.ts", ["status", ...args.slice(2)]);
  assert.match(s2.stdout, /crop_set\s+run\s+external: data changed/);
  await Deno.remove(tmp, { recursive: true });
});
