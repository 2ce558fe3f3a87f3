/**
 * The `slurm` executor on a real cluster (a single-node one: `sudo tools/slurm-local.sh up`; `.ci/run`
 * starts it), through the real CLI and real `sbatch`, `squeue`, `scontrol` and `scancel`:
 *
 * - the tiny profile end to end as Slurm jobs makes the same keys and files as a local run, and a cache
 *   filled on the cluster is all cache hits locally;
 * - a training job cancelled mid-way (`scancel`) fails the run with Slurm's verdict and the job's log, and
 *   the next run resumes from its checkpoint;
 * - Ctrl-C on the runner leaves no job in the queue;
 * - a partition that does not exist is one clear error before anything is submitted.
 *
 * Skipped with a message where there is no `sbatch` or no cluster answering.
 */
import assert from "node:assert/strict";
import { join } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;

async function sh(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const o = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const dec = new TextDecoder();
    return { code: o.code, out: (dec.decode(o.stdout) + dec.decode(o.stderr)).trim() };
  } catch {
    return { code: 127, out: `${cmd} not found` };
  }
}

/** Why the cluster tests cannot run here, or null when a cluster answers. */
async function noCluster(): Promise<string | null> {
  const info = await sh("sinfo", ["-h", "-o", "%t"]);
  if (info.code === 127) return "sbatch/sinfo are absent (apt-get install slurm-wlm munge)";
  if (info.code !== 0 || !/idle|mix|alloc/.test(info.out)) {
    return `no Slurm cluster answers (sinfo: ${info.out})`;
  }
  return null;
}
const why = await noCluster();
if (why) {
  console.log(`skipped: the slurm executor tests: ${why}; start one with sudo tools/slurm-local.sh up`);
}

function command(args: string[]) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", join(ROOT, "tasks/pipeline.ts"), ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { CI: "1", NO_COLOR: "1" },
  });
}

async function cli(args: string[]) {
  const out = await command(args).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Job ids in the queue named for a task of ours. */
async function queued(task?: string): Promise<string[]> {
  const r = await sh("squeue", ["-h", "-o", "%i %j"]);
  return r.out.split("\n").filter((l) => l.includes(task ? `morphogan-${task}` : "morphogan-")).map((l) =>
    l.split(" ")[0]
  ).filter(Boolean);
}

async function waitFor(what: string, f: () => Promise<boolean>, seconds = 120): Promise<void> {
  for (let i = 0; i < seconds * 5; i++) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Every file of a store object but those named in `skip` (at any depth), as path → SHA-256. */
async function filesOf(dir: string, skip: Set<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string, rel: string) => {
    for await (const e of Deno.readDir(d)) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) await walk(join(d, e.name), r);
      else if (!skip.has(e.name)) {
        const bytes = await Deno.readFile(join(d, e.name));
        const h = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
        out.set(r, Array.from(h, (b) => b.toString(16).padStart(2, "0")).join(""));
      }
    }
  };
  await walk(dir, "");
  return out;
}

const dirsOf = (tmp: string, name: string) => [
  "--profile",
  "tiny",
  "--cache",
  join(tmp, name, "cache"),
  "--results",
  join(tmp, name, "results"),
];

Deno.test({
  name:
    "slurm: the tiny profile as Slurm jobs = a local run (keys, files); a cluster-filled cache hits locally",
  ignore: why !== null,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "morphogan-slurm-" });
    const onSlurm = await cli(["reproduce", ...dirsOf(tmp, "slurm"), "--executor", "slurm", "--no-site"]);
    assert.equal(onSlurm.code, 0, onSlurm.stderr);
    const local = await cli(["reproduce", ...dirsOf(tmp, "local"), "--no-site"]);
    assert.equal(local.code, 0, local.stderr);
    const runOf = async (name: string) =>
      JSON.parse(await Deno.readTextFile(join(tmp, name, "results", "tiny", "run.json"))).tasks as {
        name: string;
        key: string;
        object: string;
      }[];
    const [s, l] = [await runOf("slurm"), await runOf("local")];
    // Every object made on the cluster says where it ran; the local ones, that they ran in a process here.
    for (const t of s) {
      const m = JSON.parse(await Deno.readTextFile(join(t.object, "manifest.json")));
      assert.equal(m.settings.executor, "slurm", t.name);
      assert.match(m.settings.placement.slurmJob, /^\d+$/, t.name);
    }
    // Up to the trainings every key is the same, and every file of every object. (train.json and curves.json
    // record the training's wall-clock time, so the trainings' outputs, and the keys of what reads them,
    // differ between any two runs, local or not; their weights and samples do not.)
    const upToTraining = [
      "synthesize",
      "segment",
      "normalize",
      "train_dcgan",
      "train_wgan",
      "train_lsgan",
      "train_vae",
    ];
    for (const name of upToTraining) {
      const [a, b] = [s.find((t) => t.name === name)!, l.find((t) => t.name === name)!];
      assert.equal(a.key, b.key, `${name}: the same key on Slurm and locally`);
      const skip = new Set(["manifest.json", "train.json", "curves.json"]);
      assert.deepEqual(
        await filesOf(a.object, skip),
        await filesOf(b.object, skip),
        `${name}: the same files`,
      );
    }
    // A cache filled on the cluster: a local status finds everything cached.
    const status = await cli(["status", ...dirsOf(tmp, "slurm")]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /everything is cached/);
    // Successful jobs leave no log behind; nothing is left in the queue.
    assert.deepEqual([...Deno.readDirSync(join(tmp, "slurm", "cache", "slurm"))].map((e) => e.name), []);
    assert.deepEqual(await queued(), []);
    await Deno.remove(tmp, { recursive: true });
  },
});

const longTraining = (tmp: string) => [
  "reproduce",
  "--profile",
  "tiny",
  "--until",
  "train_dcgan",
  "--cache",
  join(tmp, "cache"),
  "--results",
  join(tmp, "results"),
  "--executor",
  "slurm",
  "--param",
  "train_dcgan.steps=400",
  "--param",
  "train_dcgan.checkpointEvery=5",
  "--no-site",
];

async function checkpointed(tmp: string): Promise<boolean> {
  try {
    for await (const e of Deno.readDir(join(tmp, "cache", "checkpoints"))) {
      for await (const f of Deno.readDir(join(tmp, "cache", "checkpoints", e.name))) {
        if (f.name.includes("checkpoint")) return true;
      }
    }
  } catch { /* not yet */ }
  return false;
}

Deno.test({
  name:
    "slurm: a training job cancelled with scancel fails the run with Slurm's verdict; the next run resumes",
  ignore: why !== null,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "morphogan-slurm-cancel-" });
    const child = command(longTraining(tmp)).spawn();
    const output = child.output();
    await waitFor("a checkpoint of train_dcgan", () => checkpointed(tmp));
    const [id] = await queued("train_dcgan");
    assert.ok(id, "train_dcgan is in the queue");
    assert.equal((await sh("scancel", [id])).code, 0);
    const out = await output;
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, stderr);
    const verdict = new RegExp(`Slurm job ${id} \\(train_dcgan\\) ended CANCELLED[^;]*; its log: ([^\\s)]+)`)
      .exec(stderr);
    assert.ok(verdict, `the error names Slurm's verdict and the log:\n${stderr}`);
    assert.ok((await Deno.stat(verdict[1])).isFile, "the job's log is kept");
    const resumed = await cli([...longTraining(tmp), "--verbose"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /train_dcgan: resumed from the checkpoint at step \d+/);
    await Deno.remove(tmp, { recursive: true });
  },
});

Deno.test({
  name: "slurm: Ctrl-C on the runner cancels its jobs: none is left in the queue",
  ignore: why !== null,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "morphogan-slurm-int-" });
    const child = command(longTraining(tmp)).spawn();
    const output = child.output();
    await waitFor("train_dcgan in the queue", async () => (await queued("train_dcgan")).length > 0);
    child.kill("SIGINT");
    const out = await output;
    assert.equal(out.code, 130, new TextDecoder().decode(out.stderr));
    assert.deepEqual(await queued(), [], "no job of ours is left in the queue");
    await Deno.remove(tmp, { recursive: true });
  },
});

Deno.test({
  name: "slurm: a partition that does not exist is one clear error before anything is submitted",
  ignore: why !== null,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "morphogan-slurm-part-" });
    const r = await cli([...longTraining(tmp), "--slurm-partition", "no_such_partition"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /Slurm cannot run task '\w+' \(.*--partition=no_such_partition.*\): .*partition.*; nothing was submitted/i,
    );
    assert.equal(r.stderr.trim().split("\n").filter((l) => /error/i.test(l)).length, 1, r.stderr);
    // Nothing ran: no object, no job file.
    const objects = await Array.fromAsync(Deno.readDir(join(tmp, "cache", "objects"))).catch(() => []);
    assert.equal(objects.length, 0);
    assert.equal(await Deno.stat(join(tmp, "cache", "slurm")).then(() => true, () => false), false);
    await Deno.remove(tmp, { recursive: true });
  },
});
