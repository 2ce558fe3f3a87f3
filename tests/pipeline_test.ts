/**
 * The project pipeline end to end at `tiny` size, through the real CLI: in a copy of the project (so code can
 * be edited) with a temporary cache, every stage runs, the site is built, a rerun is all cached, `deno task
 * embed` reproduces a feature set, and edits rerun exactly what they should (a comment: nothing; evaluation
 * code: evaluate and figures; a figure param: figures and the site). Also: a training killed with SIGKILL
 * resumes from its checkpoint, and every profile resolves.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { decode } from "fast-png";

const ROOT = new URL("..", import.meta.url).pathname;

/** The stages after the data sources and segmentation, in pipeline order. */
const SCIENCE = [
  "normalize",
  "train_dcgan",
  "train_wgan",
  "train_lsgan",
  "train_vae",
  "train_bigan",
  "extract_dcgan",
  "extract_wgan",
  "extract_lsgan",
  "extract_vae",
  "extract_bigan",
  "extract_bigan_d",
  "extract_random",
  "extract_classical",
  "aggregate",
  "evaluate",
  "dose_response",
  "figures",
  "gallery",
];

function command(args: string[], env: Record<string, string> = {}, root = ROOT) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", join(root, "tasks/pipeline.ts"), ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { CI: "1", NO_COLOR: "1", ...env },
  });
}

async function cli(args: string[], root = ROOT) {
  const out = await command(args, {}, root).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Copies the project's sources into `dir` (node_modules linked), so a test can edit code. */
async function copyProject(dir: string): Promise<void> {
  const skip = new Set(["dist", "node_modules", ".astro", "tests"]);
  const copy = async (from: string, to: string, top: boolean) => {
    await Deno.mkdir(to, { recursive: true });
    for await (const e of Deno.readDir(from)) {
      if (top && skip.has(e.name)) continue;
      if (e.isDirectory) await copy(join(from, e.name), join(to, e.name), false);
      else if (e.isFile) await Deno.copyFile(join(from, e.name), join(to, e.name));
    }
  };
  await Deno.mkdir(dir, { recursive: true });
  for (const f of ["deno.json", "deno.lock"]) await Deno.copyFile(join(ROOT, f), join(dir, f));
  for (const d of ["workflow", "tasks", "lib", "tools"]) await copy(join(ROOT, d), join(dir, d), false);
  await copy(join(ROOT, "site"), join(dir, "site"), true);
  await Deno.symlink(join(ROOT, "node_modules"), join(dir, "node_modules"));
}

/** Task name → state ("run" or "cached") and reasons, from `status --json`. */
async function status(root: string, dirs: string[], extra: string[] = []) {
  const r = await cli(["status", "--json", ...dirs, ...extra], root);
  assert.equal(r.code, 0, r.stderr);
  return Object.fromEntries(
    JSON.parse(r.stdout).map((t: { task: string; state: string; reasons: string[] }) => [t.task, t]),
  ) as Record<string, { state: string; reasons: string[] }>;
}

/** The tasks a reproduce's summary table says ran. */
const ran = (stdout: string) => [...stdout.matchAll(/^(\w+)\s+ran\s/gm)].map((m) => m[1]);

async function edit(file: string, from: string, to: string): Promise<void> {
  const text = await Deno.readTextFile(file);
  assert.ok(text.includes(from), `${file} has no '${from}'`);
  await Deno.writeTextFile(file, text.replace(from, to));
}

Deno.test("tiny profile end to end: every stage, the site, embed, a cached rerun, and incremental edits", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "morphogan-tiny-" });
  const root = join(tmp, "project");
  await copyProject(root);
  const dirs = ["--profile", "tiny", "--cache", join(tmp, "cache"), "--results", join(tmp, "results")];
  const first = await cli(["reproduce", ...dirs], root);
  assert.equal(first.code, 0, first.stderr);
  const run = JSON.parse(await Deno.readTextFile(join(tmp, "results", "tiny", "run.json")));
  const names = run.tasks.map((t: { name: string }) => t.name);
  assert.deepEqual(names, ["synthesize", "segment", ...SCIENCE]);
  assert.ok(run.tasks.every((t: { state: string }) => t.state === "ran"));
  const object = (name: string) =>
    join(tmp, "cache", "objects", run.tasks.find((t: { name: string }) => t.name === name).key);
  for (const loss of ["dcgan", "wgan", "lsgan"]) {
    const dir = object(`train_${loss}`);
    const curves = JSON.parse(await Deno.readTextFile(join(dir, "curves.json")));
    assert.equal(curves.step.length, 20);
    assert.ok(curves.dLoss.every(Number.isFinite));
    if (loss === "wgan") assert.equal(curves.gp.length, 20);
    const png = decode(await Deno.readFile(join(dir, "samples", "final.png")));
    assert.ok(png.width > 100 && png.height > 100);
    const info = JSON.parse(await Deno.readTextFile(join(dir, "train.json")));
    assert.equal(info.loss, loss);
    assert.equal(info.size, 32);
    // Published without the weights.
    const published = [...Deno.readDirSync(join(tmp, "results", "tiny", `train_${loss}`))].map((e) => e.name);
    assert.deepEqual(published.sort(), ["curves.json", "samples", "train.json"]);
  }
  // Table 1: a row per method with numbers, the paper's beside.
  // The registry (lib/models/registry.ts) is in the code of the tasks that read every model's output, not in
  // the code of a model's own tasks: adding a model retrains nothing else.
  const codeOf = (name: string) =>
    run.tasks.find((t: { name: string }) => t.name === name).codeFiles as string[];
  for (const name of ["train_dcgan", "train_lsgan", "extract_wgan", "extract_random", "extract_classical"]) {
    assert.ok(!codeOf(name).includes("lib/models/registry.ts"), `${name}'s code does not cover the registry`);
  }
  assert.ok(codeOf("aggregate").includes("lib/models/registry.ts"));
  const models = JSON.parse(await Deno.readTextFile(join(tmp, "results", "tiny", "evaluate", "models.json")));
  assert.deepEqual(models.models.map((m: { train: string }) => m.train), [
    "train_dcgan",
    "train_wgan",
    "train_lsgan",
    "train_vae",
    "train_bigan",
  ]);
  const table1 = JSON.parse(await Deno.readTextFile(join(tmp, "results", "tiny", "evaluate", "table1.json")));
  const bySet = Object.fromEntries(
    table1.rows.filter((r: { set: string }) => r.set).map((r: { set: string }) => [r.set, r]),
  );
  assert.deepEqual(Object.keys(bySet).sort(), [
    "bigan",
    "bigan_d",
    "classical",
    "dcgan",
    "lsgan",
    "random",
    "vae",
    "wgan",
  ]);
  for (const row of Object.values(bySet) as { ours: { nsc_per_compound: number; nsc_n: number } }[]) {
    assert.ok(row.ours.nsc_per_compound >= 0 && row.ours.nsc_per_compound <= 1);
    assert.equal(row.ours.nsc_n, 24);
  }
  assert.equal(bySet.lsgan.paper.nsc, 0.68);
  // The VAE's row stands beside the paper's VAE baseline; its features are the encoder's mean (100-d).
  assert.equal(bySet.vae.paper.nsc, 0.49);
  const vaeFeatures = JSON.parse(await Deno.readTextFile(join(object("extract_vae"), "features.json")));
  assert.deepEqual([vaeFeatures.kind, vaeFeatures.d], ["vae", 100]);
  // The BiGAN's row beside the authors' repository's 70 %: its features are E(x); its D's view of (x, E(x))
  // is a feature set of its own, with different values from the same training.
  assert.equal(bySet.bigan.paper.nsc, 0.70);
  assert.ok(bySet.bigan_d.ours.nsc_per_compound >= 0);
  const e = JSON.parse(await Deno.readTextFile(join(object("extract_bigan"), "features.json")));
  const dView = JSON.parse(await Deno.readTextFile(join(object("extract_bigan_d"), "features.json")));
  assert.deepEqual([e.kind, e.d, e.names[0]], ["bigan", 100, "f0"]);
  assert.deepEqual([dView.kind, dView.d, dView.names[0]], ["bigan_d", 100, "c0"]);
  // LSGAN trains two seeds (tiny profile): its rows are means over both, the control is each seed's initial D.
  assert.equal(bySet.lsgan.ours.n_seeds, 2);
  assert.equal(bySet.dcgan.ours.n_seeds, 1);
  assert.equal(bySet.random.ours.n_seeds, 2);
  assert.equal(bySet.lsgan.control.protocol, bySet.lsgan.best.protocol);
  assert.ok(bySet.lsgan.ours.sd.nsc_per_compound >= 0);
  const replicate = JSON.parse(
    await Deno.readTextFile(join(object("extract_lsgan"), "replicates", "1", "features.json")),
  );
  assert.deepEqual([replicate.kind, replicate.seed, replicate.d], ["lsgan", 1, 100]);
  // LSGAN's symmetric view is evaluated beside the plain one; the authors' protocol stays the plain view's.
  const evaluation = JSON.parse(
    await Deno.readTextFile(join(tmp, "results", "tiny", "evaluate", "evaluation.json")),
  );
  assert.ok("sym8:cells-mean" in evaluation.lsgan && !("sym8:cells-mean" in evaluation.dcgan));
  assert.equal(bySet.lsgan.ours.protocol, "cells-mean");
  const trained1 = JSON.parse(
    await Deno.readTextFile(join(object("train_lsgan"), "replicates", "1", "train.json")),
  );
  assert.equal(trained1.settings.seed, 1);
  assert.equal(bySet.classical.paper.nsc, 0.9);
  const features = JSON.parse(await Deno.readTextFile(join(object("extract_lsgan"), "features.json")));
  assert.equal(features.d, 100);
  // Gallery, dose response, phenotype table, and the site.
  const gallery = JSON.parse(
    await Deno.readTextFile(join(tmp, "results", "tiny", "gallery", "gallery.json")),
  );
  assert.equal(gallery.counts.treatments, 25);
  const dose = JSON.parse(
    await Deno.readTextFile(join(tmp, "results/tiny/dose_response/dose_response.json")),
  );
  assert.equal(dose.sets.lsgan.controlSites, 4);
  const phenotypes = JSON.parse(
    await Deno.readTextFile(join(tmp, "results/tiny/synthesize/phenotypes.json")),
  );
  assert.equal(phenotypes.moas.length, 12);
  assert.match(first.stdout, /^site: built \d+ pages → /m);
  // The headline: Table 1 beside the paper's and where the site is, at the end; `results` prints it again.
  assert.match(first.stdout, /^Table 1 \(tiny\): MOA accuracy by 1-NN, NSC per compound/m);
  assert.match(first.stdout, /^LSGAN +68 % +\d+\.\d( ± \d+\.\d)? %/m);
  assert.match(first.stdout, /^The site: .*tiny\/index\.html/m);
  const again = await cli(["results", ...dirs], root);
  assert.equal(again.code, 0, again.stderr);
  const table = (out: string) => out.slice(out.indexOf("Table 1 (tiny)"), out.indexOf("The site:"));
  assert.equal(table(again.stdout), table(first.stdout));
  const none = await cli(["results", "--profile", "quick", "--results", join(tmp, "results")], root);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /No results of profile 'quick'.*run reproduce --profile quick first/);
  assert.ok((await Deno.stat(join(tmp, "site", "index.html"))).isFile);

  // deno task embed with the training's cache key on the segmented cells = extract_lsgan's features.
  const key = run.tasks.find((t: { name: string }) => t.name === "train_lsgan").key.slice(0, 12);
  const embed = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      join(root, "tools/embed.ts"),
      "--model",
      key,
      "--cache",
      join(tmp, "cache"),
      "--crops",
      object("segment"),
      "--out",
      join(tmp, "embed.csv"),
      "--backend",
      "wasm",
    ],
    cwd: root,
    stderr: "piped",
  }).output();
  assert.equal(embed.code, 0, new TextDecoder().decode(embed.stderr));
  const lines = (await Deno.readTextFile(join(tmp, "embed.csv"))).trim().split("\n");
  const f32 = new Float32Array((await Deno.readFile(join(object("extract_lsgan"), "features.f32"))).buffer);
  assert.equal(lines.length - 1, f32.length / 100);
  for (const i of [0, 7, lines.length - 2]) {
    const got = lines[i + 1].split(",").slice(-100).map(Number);
    got.forEach((v, j) =>
      assert.ok(Math.abs(v - f32[i * 100 + j]) <= 1e-5 * (1 + Math.abs(v)), `cell ${i} f${j}`)
    );
  }

  // A rerun is all cached (the site rebuilds once: run.json now says "cached").
  const second = await cli(["reproduce", ...dirs], root);
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(ran(second.stdout), []);

  // Outputs depend only on inputs, params and code: every task forced to run again writes the same bytes
  // (wall-clock time and the device's description are facts of the manifest, not outputs).
  const forced = await cli(["reproduce", ...dirs, "--force", "all", "--no-site"], root);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(ran(forced.stdout).length, run.tasks.length);
  const rerun = JSON.parse(await Deno.readTextFile(join(tmp, "results", "tiny", "run.json")));
  const digests = (r: typeof run) =>
    Object.fromEntries(r.tasks.map((t: { name: string; outputDigest: string }) => [t.name, t.outputDigest]));
  assert.deepEqual(digests(rerun), digests(run), "a forced rerun changed a task's output");
  const trainFacts = rerun.tasks.find((t: { name: string }) => t.name === "train_lsgan").computed.facts;
  assert.equal(trainFacts.backend.name, "wasm");
  assert.deepEqual(Object.keys(trainFacts.training), ["0", "1"], "each seed's timing, in the facts");
  assert.ok(trainFacts.training["0"].seconds > 0 && trainFacts.training["0"].stepsRun === 20);
  // Back to a plain run (all cached; the site catches up with the new manifests' times).
  const settled = await cli(["reproduce", ...dirs], root);
  assert.equal(settled.code, 0, settled.stderr);
  assert.deepEqual(ran(settled.stdout), []);

  // 1. A comment in the evaluation code: nothing reruns, the site is up to date.
  const nsc = join(root, "lib/profiling/nsc.ts");
  await Deno.writeTextFile(nsc, "// A comment changes nothing.\n" + await Deno.readTextFile(nsc));
  assert.ok(Object.values(await status(root, dirs)).every((t) => t.state === "cached"));
  const third = await cli(["reproduce", ...dirs], root);
  assert.equal(third.code, 0, third.stderr);
  assert.deepEqual(ran(third.stdout), []);
  assert.match(third.stdout, /^site: up to date/m);

  // 2. A real change in the evaluation code: evaluate reruns, then what reads it (figures); no training.
  await edit(
    join(root, "tasks/evaluate.ts"),
    "JSON.stringify(table, null, 2)",
    "JSON.stringify(table, null, 1)",
  );
  const s2 = await status(root, dirs);
  assert.deepEqual(s2.evaluate.reasons, ["code: tasks/evaluate.ts"]);
  assert.deepEqual(s2.figures.reasons, ["input: evaluate (reruns)"]);
  assert.deepEqual(Object.keys(s2).filter((t) => s2[t].state === "run"), ["evaluate", "figures"]);
  const fourth = await cli(["reproduce", ...dirs], root);
  assert.equal(fourth.code, 0, fourth.stderr);
  assert.deepEqual(ran(fourth.stdout), ["evaluate", "figures"]);
  assert.match(fourth.stdout, /^site: built/m);

  // 3. A figure param: only figures, and the site.
  const s3 = await status(root, dirs, ["--param", "figures.samples=9"]);
  assert.deepEqual(s3.figures.reasons, ["param: figures.samples 16→9"]);
  assert.deepEqual(Object.keys(s3).filter((t) => s3[t].state === "run"), ["figures"]);
  const fifth = await cli(["reproduce", ...dirs, "--param", "figures.samples=9"], root);
  assert.equal(fifth.code, 0, fifth.stderr);
  assert.deepEqual(ran(fifth.stdout), ["figures"]);
  assert.match(fifth.stdout, /^site: built/m);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("a training killed with SIGKILL resumes from its last checkpoint", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "morphogan-resume-" });
  const args = [
    "reproduce",
    "--profile",
    "tiny",
    "--until",
    "train_dcgan",
    "--cache",
    join(tmp, "cache"),
    "--results",
    join(tmp, "results"),
    "--param",
    "train_dcgan.steps=150",
    "--param",
    "train_dcgan.checkpointEvery=5",
  ];
  const child = command(args).spawn();
  const output = child.output();
  // Wait for a checkpoint of train_dcgan, then kill the whole run.
  const checkpoints = join(tmp, "cache", "checkpoints");
  let found = false;
  for (let i = 0; i < 600 && !found; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      for await (const e of Deno.readDir(checkpoints)) {
        try {
          await Deno.stat(join(checkpoints, e.name, "checkpoint.bin"));
          found = true;
        } catch { /* not yet */ }
      }
    } catch { /* not yet */ }
  }
  assert.ok(found, "no training checkpoint appeared");
  child.kill("SIGKILL");
  await output;
  const again = await cli([...args, "--verbose"]);
  assert.equal(again.code, 0, again.stderr);
  const resumed = /train_dcgan: resumed from the checkpoint at step (\d+)/.exec(again.stderr);
  assert.ok(resumed, again.stderr);
  assert.ok(Number(resumed[1]) >= 5);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("every profile resolves: its tasks and wiring", async () => {
  const tasksOf = async (profile: string) => {
    const r = await cli(["status", "--json", "--profile", profile, "--cache", await Deno.makeTempDir()]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).map((t: { task: string }) => t.task);
  };
  assert.deepEqual(await tasksOf("quick"), ["synthesize", "segment", ...SCIENCE]);
  assert.deepEqual(await tasksOf("tiny"), ["synthesize", "segment", ...SCIENCE]);
  assert.deepEqual(await tasksOf("real-crops"), ["crop_set", ...SCIENCE]);
  assert.deepEqual(await tasksOf("paper"), ["fetch_bbbc021", "segment", ...SCIENCE]);
});
