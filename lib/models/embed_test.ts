import assert from "node:assert/strict";
import { join } from "node:path";
import { encodeNpy } from "../data/npy.ts";
import { parseCsvGrid } from "../data/csv.ts";
import { cropSetToStore } from "../data/crop_set_store.ts";
import { CROP_SET_DEFAULTS } from "../data/crop_set_defaults.ts";
import { readCrops } from "../imaging/crop_store.ts";
import { normalizeStore, STORE_NORMALIZATION_DEFAULTS } from "../imaging/normalize_store.ts";
import { selectBackend } from "./backend.ts";
import { encodeLatents } from "./encode.ts";
import { Gan, ganConfig } from "./gan.ts";
import { Rng } from "./rng.ts";
import { loadGan, saveGan } from "./weights.ts";

const TOOL = new URL("../../tools/embed.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;
const TRAIN_KEY = "ab12cd34".repeat(8);
const NORM_KEY = "ef56ab78".repeat(8);

/** A crop set of 12 uint16 crops of 24 px over two plates, listed so that grouping by well reorders them. */
async function writeCropSet(dir: string): Promise<void> {
  const rng = new Rng(3);
  const lines = ["file,plate,well,compound,concentration,moa,site"];
  for (let i = 0; i < 12; i++) {
    const data = new Uint16Array(24 * 24 * 3);
    const r = 4 + (i % 5);
    for (let y = 0; y < 24; y++) {
      for (let x = 0; x < 24; x++) {
        const d = Math.hypot(x - 12, y - 12);
        const k = (y * 24 + x) * 3;
        data[k] = d < r ? 3000 + 200 * i : 200 + rng.int(50);
        data[k + 1] = d < r + 5 ? 1500 + rng.int(300) : 100;
        data[k + 2] = Math.abs(d - r - 5) < 1.5 ? 2500 : 150 + rng.int(40);
      }
    }
    await Deno.writeFile(join(dir, `c${i}.npy`), encodeNpy({ dtype: "uint16", shape: [24, 24, 3], data }));
    const dmso = i % 3 === 0;
    lines.push(
      `c${i}.npy,Week1_P${1 + (i % 2)},B0${2 + (i % 4)},${dmso ? "DMSO" : "taxol"},${dmso ? 0 : 1},` +
        `${dmso ? "DMSO" : "Microtubule stabilizers"},s${1 + i}`,
    );
  }
  await Deno.writeTextFile(join(dir, "index.csv"), lines.join("\n") + "\n");
}

/** A cache holding a train task's output (an untrained 16 px D) and its normalize manifest. */
async function writeCache(cache: string): Promise<void> {
  await selectBackend("wasm");
  const gan = new Gan(ganConfig({ loss: "lsgan", size: 16, width: 1 / 16 }), undefined, 5);
  await saveGan(gan, join(cache, "objects", TRAIN_KEY, "model"));
  gan.dispose();
  await Deno.writeTextFile(
    join(cache, "objects", TRAIN_KEY, "manifest.json"),
    JSON.stringify({ key: TRAIN_KEY, inputKeys: { crops: NORM_KEY } }),
  );
  await Deno.mkdir(join(cache, "objects", NORM_KEY), { recursive: true });
  await Deno.writeTextFile(
    join(cache, "objects", NORM_KEY, "manifest.json"),
    JSON.stringify({
      key: NORM_KEY,
      components: {
        task: "normalize",
        params: { method: "crop-max", size: 16, lowQuantile: 0.001, highQuantile: 0.999 },
      },
    }),
  );
}

async function embed(args: string[]): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, TOOL, "--backend", "wasm", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("deno task embed: a crop set → the index's columns then f0..f99, as the model's training crops", async () => {
  const dir = await Deno.makeTempDir();
  const crops = join(dir, "crops"), cache = join(dir, "cache");
  await Deno.mkdir(crops);
  await writeCropSet(crops);
  await writeCache(cache);
  // The model by a key prefix, on 1 thread, then on 2 (the threaded build and the pool).
  const on = (threads: number, out: string) =>
    embed([
      "--model",
      TRAIN_KEY.slice(0, 10),
      "--cache",
      cache,
      "--crops",
      crops,
      "--out",
      join(dir, out),
      "--threads",
      String(threads),
    ]);
  const r = await on(1, "features.csv");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /normalisation crop-max from normalize ef56ab78ef56/);
  assert.match(r.stderr, /12 cells × 100 features/);
  // The same features on 2 threads, byte for byte.
  const two = await on(2, "features2.csv");
  assert.equal(two.code, 0, two.stderr);
  assert.equal(
    await Deno.readTextFile(join(dir, "features2.csv")),
    await Deno.readTextFile(join(dir, "features.csv")),
  );
  const table = parseCsvGrid(await Deno.readTextFile(join(dir, "features.csv")));
  assert.equal(table.rows[4][6], "s5");
  assert.deepEqual(table.header.slice(0, 8), [
    "file",
    "plate",
    "well",
    "compound",
    "concentration",
    "moa",
    "site",
    "f0",
  ]);
  assert.equal(table.header.length, 7 + 100);
  assert.deepEqual(table.rows.map((row) => row[0]), Array.from({ length: 12 }, (_, i) => `c${i}.npy`));

  // The same features computed step by step: store → crop-max at 16 px → D's latent, mapped back by order.
  // No crop_set provenance (this training's crops were not a crop set): the crop_set task's channel order.
  assert.match(r.stderr, /a crop-set folder is read as dna-actin-tubulin \(the crop_set default\)/);
  const store = await cropSetToStore(crops, join(dir, "raw"), {
    channelOrder: CROP_SET_DEFAULTS.channelOrder,
  });
  // Sites written as BBBC021 names them ("s3") are read as numbers.
  assert.deepEqual(
    store.order.map((i) => store.rows[store.order.indexOf(i)].site),
    store.order.map((i) => i + 1),
  );
  await normalizeStore(join(dir, "raw"), join(dir, "norm"), {
    ...STORE_NORMALIZATION_DEFAULTS,
    method: "crop-max",
    size: 16,
  });
  const gan = await loadGan(join(cache, "objects", TRAIN_KEY, "model"));
  const f = await encodeLatents(gan, (await readCrops(join(dir, "norm"))).data as Float32Array);
  gan.dispose();
  store.order.forEach((input, k) => {
    const got = table.rows[input].slice(7).map(Number);
    const want = Array.from(f.subarray(k * 100, (k + 1) * 100));
    got.forEach((v, j) =>
      assert.ok(Math.abs(v - want[j]) <= 1e-5 * (1 + Math.abs(want[j])), `cell ${input} f${j}`)
    );
  });
  assert.ok(new Set(table.rows.map((row) => row[7])).size > 1, "cells get different features");

  // A normalised crop store is embedded as it is, in its own row order, with its own columns.
  const direct = await embed([
    "--model",
    join(cache, "objects", TRAIN_KEY),
    "--crops",
    join(dir, "norm"),
    "--out",
    join(dir, "store.csv"),
  ]);
  assert.equal(direct.code, 0, direct.stderr);
  const t2 = parseCsvGrid(await Deno.readTextFile(join(dir, "store.csv")));
  assert.deepEqual(t2.header.slice(0, 3), ["plate", "well", "site"]);
  store.order.forEach((input, k) => assert.deepEqual(t2.rows[k].slice(-100), table.rows[input].slice(7)));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("deno task embed: clear errors for an unknown model, a folder without crops, bad options", async () => {
  const dir = await Deno.makeTempDir();
  await writeCache(join(dir, "cache"));
  const unknown = await embed([
    "--model",
    "0123456789",
    "--cache",
    join(dir, "cache"),
    "--crops",
    dir,
    "--out",
    join(dir, "x.csv"),
  ]);
  assert.equal(unknown.code, 1);
  assert.match(
    unknown.stderr,
    /Cannot find model '0123456789': expected a train task's output folder or a cache key/,
  );
  const empty = await embed([
    "--model",
    join(dir, "cache/objects", TRAIN_KEY),
    "--crops",
    dir,
    "--out",
    join(dir, "x.csv"),
  ]);
  assert.equal(empty.code, 1);
  assert.match(
    empty.stderr,
    /Cannot embed '.*': expected a crop store \(cells\.csv\) or a crop index 'index\.csv'/,
  );
  const bad = await embed(["--model", "x", "--crops", dir, "--out", "y", "--normalize", "zscore"]);
  assert.match(bad.stderr, /--normalize: expected crop-max or plate-percentile, got "zscore"/);
  const threads = await embed(["--model", "x", "--crops", dir, "--out", "y", "--threads", "0"]);
  assert.match(threads.stderr, /--threads: expected a positive integer, got "0"/);
  const missing = await embed(["--crops", dir]);
  assert.match(missing.stderr, /missing --model/);
  assert.equal(await Deno.stat(join(dir, "x.csv")).then(() => true, () => false), false);
  await Deno.remove(dir, { recursive: true });
});
