/**
 * The project pipeline end to end at `tiny` size, through the real CLI in a temporary cache: every stage runs,
 * a rerun is all cached, and a training killed with SIGKILL resumes from its checkpoint.
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
  "extract_dcgan",
  "extract_wgan",
  "extract_lsgan",
  "extract_random",
  "extract_classical",
  "aggregate",
  "evaluate",
  "figures",
];

function command(args: string[], env: Record<string, string> = {}) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", join(ROOT, "tasks/pipeline.ts"), ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { CI: "1", NO_COLOR: "1", ...env },
  });
}

async function cli(args: string[]) {
  const out = await command(args).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("tiny profile: every stage runs, outputs are there, and a rerun is all cached", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "morphogan-tiny-" });
  const dirs = ["--profile", "tiny", "--cache", join(tmp, "cache"), "--results", join(tmp, "results")];
  const first = await cli(["reproduce", ...dirs]);
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
  }
  // Table 1: a row per method with numbers, the paper's beside.
  const table1 = JSON.parse(await Deno.readTextFile(join(tmp, "results", "tiny", "evaluate", "table1.json")));
  const bySet = Object.fromEntries(
    table1.rows.filter((r: { set: string }) => r.set).map((r: { set: string }) => [r.set, r]),
  );
  assert.deepEqual(Object.keys(bySet).sort(), ["classical", "dcgan", "lsgan", "random", "wgan"]);
  for (const row of Object.values(bySet) as { ours: { nsc_per_compound: number; nsc_n: number } }[]) {
    assert.ok(row.ours.nsc_per_compound >= 0 && row.ours.nsc_per_compound <= 1);
    assert.equal(row.ours.nsc_n, 24);
  }
  assert.equal(bySet.lsgan.paper.nsc, 0.68);
  assert.equal(bySet.classical.paper.nsc, 0.9);
  const features = JSON.parse(await Deno.readTextFile(join(object("extract_lsgan"), "features.json")));
  assert.equal(features.d, 100);
  const second = await cli(["reproduce", ...dirs]);
  assert.equal(second.code, 0, second.stderr);
  assert.doesNotMatch(second.stdout, /\sran\s/);
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
