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

async function runJson(dir: string) {
  return JSON.parse(await Deno.readTextFile(join(dir, "run.json")));
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
  assert.equal(summary.fields, 16);
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
    const r = await cli("tests/fixtures/fetch_pipeline.ts", ["reproduce", ...args]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(requests.length, 2 + plates.length);
    const run = await runJson(join(tmp, "results", "test"));
    const object = join(tmp, "cache", "objects", run.tasks[0].key);
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
    const again = await cli("tests/fixtures/fetch_pipeline.ts", ["reproduce", ...args]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(requests.length, 2 + plates.length, "nothing may be downloaded twice");
    const third = await cli("tests/fixtures/fetch_pipeline.ts", ["status", ...args]);
    assert.match(third.stdout, /fetch_bbbc021\s+cached/);
    // A missing plate on the server is one clear error naming its URL.
    const bad = await cli("tests/fixtures/fetch_pipeline.ts", [
      "reproduce",
      ...args.slice(0, 6),
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
