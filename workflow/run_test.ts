/**
 * End-to-end engine tests on a toy project in a temporary directory: real module files, real child processes
 * (the CLI and each task), real edits, a real SIGKILL.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeToyProject, runToy, statusOf } from "./testing.ts";
import { threadShare } from "./run.ts";
import { Store } from "./store.ts";
import { exists, listFiles } from "./fsutil.ts";

const MOD = new URL("./mod.ts", import.meta.url).href;

async function fresh(): Promise<string> {
  const dir = await makeToyProject();
  const r = await runToy(dir, ["reproduce"]);
  assert.equal(r.code, 0, r.stderr);
  return dir;
}

const states = (s: Record<string, { state: string }>) =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.state]));

async function edit(dir: string, file: string, change: (text: string) => string) {
  const path = join(dir, file);
  const before = await Deno.readTextFile(path);
  const after = change(before);
  assert.notEqual(after, before, `edit of ${file} changed nothing`);
  await Deno.writeTextFile(path, after);
}

Deno.test("first run computes everything; a rerun is all cached and publishes results", async () => {
  const dir = await makeToyProject();
  assert.deepEqual(
    Object.values(await statusOf(dir)).map((s) => [s.state, s.reasons]),
    [["run", ["new"]], ["run", ["new"]], ["run", ["new"]], ["run", ["new"]]],
  );
  const first = await runToy(dir, ["reproduce"]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^sum\s+ran\s+\S+ m?s\s+\d+(\.\d+)? MiB$/m, first.stdout);
  assert.match(first.stdout, /^total\s+\S+ m?s\s+\d+(\.\d+)? MiB \(largest task\)$/m);
  const ranJson = JSON.parse(await Deno.readTextFile(join(dir, "results/default/run.json")));
  // Each task ran in its own process, whose peak memory is recorded (a Deno process: tens of MiB).
  for (const t of ranJson.tasks) assert.ok(t.peakRssBytes > 10 * 2 ** 20 && t.peakRssBytes < 2 ** 31, t.name);
  const second = await runToy(dir, ["reproduce"]);
  assert.equal(second.code, 0, second.stderr);
  assert.doesNotMatch(second.stdout, /\sran\s/);
  assert.deepEqual(states(await statusOf(dir)), {
    source: "cached",
    double: "cached",
    side: "cached",
    sum: "cached",
  });
  // The published output and run.json.
  const sum = JSON.parse(await Deno.readTextFile(join(dir, "results/default/sum/sum.json")));
  assert.equal(sum.sum, 2 * (1 + 2 + 3 + 4 + 5));
  // A list publishes only the entries named (and skips those absent).
  const published = [...Deno.readDirSync(join(dir, "results/default/source"))].map((e) => e.name);
  assert.deepEqual(published, ["values.json"]);
  const run = JSON.parse(await Deno.readTextFile(join(dir, "results/default/run.json")));
  assert.deepEqual(run.tasks.map((t: { name: string }) => t.name), ["source", "double", "side", "sum"]);
  assert.deepEqual(run.tasks[3].inputs, { double: "double" });
  assert.equal(run.tasks.every((t: { state: string }) => t.state === "cached"), true);
  assert.ok(
    run.tasks.every((t: { computed: { peakRssBytes: number } }) => t.computed.peakRssBytes > 10 * 2 ** 20),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a param change misses the cache of that task and its dependents", async () => {
  const dir = await fresh();
  const s = await statusOf(dir, ["--param", "source.n=6"]);
  assert.deepEqual(s.source.reasons, ["param: source.n 5→6"]);
  assert.deepEqual(s.double.reasons, ["input: source (reruns)"]);
  assert.equal(s.double.key, null);
  const r = await runToy(dir, ["reproduce", "--param", "source.n=6"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /double: started \(input: source \(output changed\)\)/);
  for (const t of ["source", "double", "side", "sum"]) {
    assert.match(r.stdout, new RegExp(`^${t}\\s+ran`, "m"));
  }
  // A profile's overrides count the same way.
  const big = await statusOf(dir, ["--profile", "big"]);
  assert.deepEqual(big.source.reasons, ["new"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a change in a transitively imported helper misses; a comment-only change does not", async () => {
  const dir = await fresh();
  // Comment-only and formatting-only edits: nothing reruns.
  await edit(
    dir,
    "helper.ts",
    (t) => `/** Module doc. */\n${t.replace("factor = 2;", "factor =\n  2; // two")}`,
  );
  await edit(
    dir,
    "double.ts",
    (t) => t.replace("version: 1,", "version: 1, // unchanged").replace("{ source }", "{ source, }"),
  );
  assert.deepEqual(states(await statusOf(dir)), {
    source: "cached",
    double: "cached",
    side: "cached",
    sum: "cached",
  });
  let r = await runToy(dir, ["reproduce"]);
  assert.doesNotMatch(r.stdout, /\sran\s/);
  // A real change to the helper, imported by double.ts only.
  await edit(dir, "helper.ts", (t) => t.replace("2; // two", "3;"));
  const s = await statusOf(dir);
  assert.deepEqual(s.double.reasons, ["code: helper.ts"]);
  assert.deepEqual(s.sum.reasons, ["input: double (reruns)"]);
  assert.equal(s.source.state, "cached");
  assert.equal(s.side.state, "cached");
  r = await runToy(dir, ["reproduce"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^double\s+ran/m);
  assert.match(r.stdout, /^sum\s+ran/m);
  assert.match(r.stdout, /^source\s+cached/m);
  const sum = JSON.parse(await Deno.readTextFile(join(dir, "results/default/sum/sum.json")));
  assert.equal(sum.sum, 3 * 15);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("early cutoff: a rerun that reproduces identical output leaves dependents cached", async () => {
  const dir = await fresh();
  const r = await runToy(dir, ["reproduce", "--param", "source.parity=1"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^source\s+ran/m);
  for (const t of ["double", "side", "sum"]) assert.match(r.stdout, new RegExp(`^${t}\\s+cached`, "m"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("SIGKILL mid-task leaves no object and no orphan; the next run resumes from the checkpoint", async () => {
  const dir = await makeToyProject();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", join(dir, "pipeline.ts"), "reproduce"],
    cwd: dir,
    stdout: "null",
    stderr: "null",
    env: { CI: "1", TOY_SLEEP_MS: "20000" },
  }).spawn();
  // Wait until side has checkpointed at least one tick, then kill the runner.
  const checkpoints = join(dir, "cache/checkpoints");
  const ticked = async () => {
    if (!(await exists(checkpoints))) return undefined;
    for await (const e of Deno.readDir(checkpoints)) {
      if (await exists(join(checkpoints, e.name, "ticks"))) return join(checkpoints, e.name);
    }
    return undefined;
  };
  let checkpoint: string | undefined;
  for (let i = 0; i < 200 && !(checkpoint = await ticked()); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(checkpoint, "side never checkpointed");
  child.kill("SIGKILL");
  await child.status;
  // The task process notices its runner is gone and exits.
  const orphans = async () => {
    const pids: number[] = [];
    for await (const e of Deno.readDir("/proc")) {
      if (!/^\d+$/.test(e.name)) continue;
      try {
        const cmd = await Deno.readTextFile(`/proc/${e.name}/cmdline`);
        if (cmd.includes("child.ts") && (await Deno.readLink(`/proc/${e.name}/cwd`)) === dir) {
          pids.push(+e.name);
        }
      } catch { /* exited */ }
    }
    return pids;
  };
  const deadline = Date.now() + 10_000;
  while ((await orphans()).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(await orphans(), []);
  const s = await statusOf(dir);
  assert.equal(s.source.state, "cached");
  assert.equal(s.side.state, "run");
  assert.deepEqual(s.side.reasons, ["new"]);
  assert.equal(await exists(join(dir, "cache/objects", s.side.key!)), false);
  assert.equal(checkpoint.endsWith(s.side.key!), true);
  // The next run cleans the leftovers, resumes side from its checkpoint, and removes the checkpoint.
  const r = await runToy(dir, ["reproduce", "--verbose"], { TOY_SLEEP_MS: "0" });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^side\s+ran/m);
  assert.match(r.stderr, /side: resumed at tick [1-9]/);
  assert.equal(await exists(checkpoint), false);
  assert.deepEqual(await listFiles(join(dir, "cache/tmp")).catch(() => []), []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("Ctrl-C cancels running tasks, keeps finished ones, and exits 130", async () => {
  const dir = await makeToyProject();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", join(dir, "pipeline.ts"), "reproduce"],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
    env: { CI: "1", TOY_SLEEP_MS: "30000" },
  }).spawn();
  const output = child.output();
  // Wait for sum to finish while side is still sleeping, then interrupt.
  for (let i = 0; i < 100; i++) {
    if ((await Deno.readTextFile(join(dir, "cache/runs/default.json")).catch(() => "")).includes('"sum"')) {
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const t0 = Date.now();
  child.kill("SIGINT");
  const out = await output;
  assert.equal(out.code, 130);
  assert.ok(Date.now() - t0 < 5000, "cancellation took too long");
  const stdout = new TextDecoder().decode(out.stdout);
  assert.match(stdout, /^side\s+cancelled/m);
  assert.match(stdout, /^sum\s+ran/m);
  assert.deepEqual(states(await statusOf(dir)), {
    source: "cached",
    double: "cached",
    side: "run",
    sum: "cached",
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a task whose code is edited during the run refuses to run stale-keyed code", async () => {
  const dir = await makeToyProject();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", join(dir, "pipeline.ts"), "reproduce", "--jobs", "1"],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
    env: { CI: "1", TOY_SLEEP_MS: "3000" },
  }).spawn();
  const output = child.output();
  // side sleeps 3 s; sum (run after it with one job) is edited meanwhile.
  for (let i = 0; i < 100; i++) {
    if (
      (await Deno.readTextFile(join(dir, "cache/runs/default.json")).catch(() => "")).includes('"double"')
    ) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await edit(dir, "sum.ts", (t) => t.replace("a + b, 0", "a + b, 1000"));
  const out = await output;
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 1, stderr);
  assert.match(stderr, /Task 'sum' failed: its code changed on disk during this run \(sum.ts\); run again/);
  const r = await runToy(dir, ["reproduce"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(await Deno.readTextFile(join(dir, "results/default/sum/sum.json"))).sum, 1030);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a corrupted object is reported by status and recomputed, also when found as an input", async () => {
  const dir = await fresh();
  const store = new Store(join(dir, "cache"));
  let s = await statusOf(dir);
  // 1. Visible corruption (content and mtime change): status and the run see it.
  const sourceFile = join(store.objectDir(s.source.key!), "values.json");
  await Deno.chmod(sourceFile, 0o644);
  await Deno.writeTextFile(sourceFile, "[9,9,9,9,9]");
  s = await statusOf(dir);
  assert.deepEqual(s.source.reasons, ["corrupt: file values.json does not match its digest"]);
  let r = await runToy(dir, ["reproduce"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^source\s+ran/m);
  assert.match(r.stdout, /^double\s+cached/m); // same output as before the corruption
  assert.equal(JSON.parse(await Deno.readTextFile(sourceFile)).length, 5);
  // 2. Silent corruption (same size, mtime restored): caught by the full check before use as an input.
  s = await statusOf(dir);
  const doubleFile = join(store.objectDir(s.double.key!), "values.json");
  const stat = await Deno.stat(doubleFile);
  const text = await Deno.readTextFile(doubleFile);
  await Deno.chmod(doubleFile, 0o644);
  await Deno.writeTextFile(doubleFile, text.replace("2", "7"));
  await Deno.utime(doubleFile, stat.atime!, stat.mtime!);
  r = await runToy(dir, ["reproduce", "--force", "sum"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /double: cached object \w+ is corrupt: file values.json does not match its digest/);
  assert.match(r.stdout, /^double\s+ran/m);
  assert.match(r.stdout, /^sum\s+ran/m);
  assert.equal((await store.verify(s.double.key!, "full")).ok, true);
  assert.equal(JSON.parse(await Deno.readTextFile(join(dir, "results/default/sum/sum.json"))).sum, 30);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("two concurrent runs do not corrupt the store: the second waits", async () => {
  const dir = await makeToyProject();
  const args = ["reproduce", "--param", "side.sleepMs=1500"];
  const [a, b] = await Promise.all([
    runToy(dir, args),
    new Promise((r) => setTimeout(r, 300)).then(() => runToy(dir, args)),
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stderr, /is locked by pid \d+ \(reproduce --profile default/);
  assert.doesNotMatch(b.stdout, /\sran\s/); // everything was made by the first
  const store = new Store(join(dir, "cache"));
  for (const key of await store.keys()) assert.equal((await store.verify(key, "full")).ok, true, key);
  // --no-wait fails clearly instead of waiting.
  const holder = runToy(dir, ["reproduce", "--force", "side", "--param", "side.sleepMs=1500"]);
  await new Promise((r) => setTimeout(r, 500));
  const c = await runToy(dir, ["reproduce", "--no-wait"]);
  assert.equal(c.code, 1);
  assert.match(c.stderr, /error: The cache .* is locked by pid \d+ .*not waiting \(--no-wait\)/);
  assert.equal((await holder).code, 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a failing task names itself and its log, and keeps its siblings' artifacts", async () => {
  const dir = await makeToyProject();
  const r = await runToy(dir, ["reproduce", "--param", "sum.fail=true", "--param", "side.sleepMs=800"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Task 'sum' failed: sum was told to fail\n {2}log: (\S+)/);
  const log = /log: (\S+)/.exec(r.stderr)![1];
  assert.match(await Deno.readTextFile(log), /Error: sum was told to fail/);
  assert.match(r.stdout, /^sum\s+failed/m);
  const s = await statusOf(dir, ["--param", "sum.fail=true", "--param", "side.sleepMs=800"]);
  assert.deepEqual(states(s), { source: "cached", double: "cached", side: "cached", sum: "run" });
  assert.deepEqual(s.sum.reasons, ["new"]);
  assert.equal(await exists(join(dir, "results/default")), false);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--only, --until, --force, --dry-run and bad arguments", async () => {
  const dir = await makeToyProject();
  let r = await runToy(dir, ["reproduce", "--only", "double"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Cannot run only double: its input 'source' is not in the cache/);
  r = await runToy(dir, ["reproduce", "--until", "double"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(states(await statusOf(dir)), {
    source: "cached",
    double: "cached",
    side: "run",
    sum: "run",
  });
  r = await runToy(dir, ["reproduce", "--only", "sum"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^sum\s+ran/m);
  assert.doesNotMatch(r.stdout, /^side/m);
  r = await runToy(dir, ["reproduce", "--dry-run", "--force", "all"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /would run source: forced/);
  assert.match(r.stdout, /dry run: 4 of 4 tasks would run/);
  assert.deepEqual((await statusOf(dir)).sum.state, "cached");
  r = await runToy(dir, ["reproduce", "--force", "double"]);
  assert.match(r.stdout, /^double\s+ran/m);
  assert.match(r.stdout, /^sum\s+cached/m); // same output: cut off
  for (
    const [args, message] of [
      [
        ["--param", "nope.n=1"],
        /Unknown task 'nope' in --param 'nope.n=1': tasks are source, double, side, sum/,
      ],
      [
        ["--param", "source.m=1"],
        /Unknown param 'source.m' in --param 'source.m=1': task 'source' has n, parity/,
      ],
      [["--param", "source.n=0"], /Invalid --param 'source.n=0': expected ≥ 1, got 0/],
      [["--param", "source.n=abc"], /Invalid --param 'source.n=abc': expected a number, got "abc"/],
      [["--profile", "huge"], /Unknown profile 'huge': profiles are default, big/],
      [["--until", "nope"], /Unknown task 'nope' in profile 'default': tasks are source, double, side, sum/],
      [["--jobs", "0"], /--jobs: expected an integer ≥ 1, got '0'/],
      [["--frobnicate"], /Unknown option '--frobnicate'/],
    ] as [string[], RegExp][]
  ) {
    r = await runToy(dir, ["reproduce", ...args]);
    assert.notEqual(r.code, 0, args.join(" "));
    assert.match(r.stderr, message);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("gc removes objects no profile's latest run uses and says how much it freed", async () => {
  const dir = await fresh();
  assert.equal((await runToy(dir, ["reproduce", "--profile", "big"])).code, 0);
  assert.equal((await runToy(dir, ["reproduce", "--param", "source.n=7"])).code, 0);
  // The default profile's n=5 objects are now unused; big's n=8 objects are still used.
  const store = new Store(join(dir, "cache"));
  const before = (await store.keys()).length;
  const r = await runToy(dir, ["gc"]);
  assert.equal(r.code, 0, r.stderr);
  const m = /removed (\d+) objects, kept (\d+); freed ([\d.]+ \w+)/.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.equal(+m[1], 4); // source, double, side and sum of n=5
  assert.equal((await store.keys()).length, before - +m[1]);
  assert.deepEqual(states(await statusOf(dir, ["--param", "source.n=7"])), {
    source: "cached",
    double: "cached",
    side: "cached",
    sum: "cached",
  });
  assert.equal(states(await statusOf(dir, ["--profile", "big"])).sum, "cached");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the after step runs on the exported results after each reproduce; --no-<name> skips it", async () => {
  const dir = await fresh();
  const report = join(dir, "results/report.txt");
  await Deno.remove(report).catch(() => {});
  const r = await runToy(dir, ["reproduce"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^report: report of default \(/m);
  assert.equal(await Deno.readTextFile(report), "default 30\n");
  const skipped = await runToy(dir, ["reproduce", "--no-report"]);
  assert.equal(skipped.code, 0, skipped.stderr);
  assert.doesNotMatch(skipped.stdout, /^report:/m);
  assert.equal(await Deno.readTextFile(report), "default 30\n");
  const failed = await runToy(dir, ["reproduce"], { TOY_REPORT_FAIL: "1" });
  assert.equal(failed.code, 1);
  assert.match(
    failed.stderr,
    /report failed: the report was told to fail \(the results are in place; rerun to retry\)/,
  );
  assert.ok(await Deno.stat(join(dir, "results/default/run.json")));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("threadShare: free cores split among the threaded tasks starting together, capped, at least 1", () => {
  assert.equal(threadShare({ free: 16, sharing: 3, cap: 16 }), 5);
  assert.equal(threadShare({ free: 2, sharing: 2, cap: 2 }), 1);
  assert.equal(threadShare({ free: 2, sharing: 1, cap: 2 }), 2);
  assert.equal(threadShare({ free: 16, sharing: 1, cap: 4 }), 4);
  assert.equal(threadShare({ free: 1, sharing: 3, cap: 8 }), 1);
  assert.equal(threadShare({ free: 0, sharing: 1, cap: 8 }), 1);
});

Deno.test("threaded tasks get the free cores as ctx.threads (recorded in the manifest, not in the key); others 1", async () => {
  const task = (name: string, threaded: boolean) =>
    `import { defineTask } from "${MOD}";
import { source } from "./source.ts";
export const ${name} = defineTask({
  name: "${name}",
  version: 1,
  inputs: { source },
  threaded: ${threaded},
  publish: true,
  run(ctx) {
    Deno.writeTextFileSync(ctx.out + "/threads.json", JSON.stringify(ctx.threads));
  },
});
`;
  const dir = await makeToyProject({
    "ta.ts": task("ta", true),
    "tb.ts": task("tb", true),
    "tc.ts": task("tc", false),
    "pipeline.ts": `import { definePipeline, main } from "${MOD}";
import { source } from "./source.ts";
import { ta } from "./ta.ts";
import { tb } from "./tb.ts";
import { tc } from "./tc.ts";
export const pipeline = definePipeline({
  module: import.meta.url,
  tasks: [source, ta, tb, tc],
  profiles: [{ name: "default", description: "toy", params: {} }],
  defaultProfile: "default",
});
if (import.meta.main) await main(pipeline);
`,
  });
  try {
    const threadsOf = async (name: string) =>
      JSON.parse(await Deno.readTextFile(join(dir, `results/default/${name}/threads.json`)));
    // One task at a time: a threaded task gets every core (or --threads, when fewer).
    const cores = navigator.hardwareConcurrency;
    let r = await runToy(dir, ["reproduce", "--jobs", "1"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([await threadsOf("ta"), await threadsOf("tb"), await threadsOf("tc")], [
      cores,
      cores,
      1,
    ]);
    const keys = JSON.parse(await Deno.readTextFile(join(dir, "results/default/run.json"))).tasks
      .map((t: { key: string }) => t.key);
    r = await runToy(dir, ["reproduce", "--jobs", "1", "--threads", "1", "--force", "all"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([await threadsOf("ta"), await threadsOf("tb")], [1, 1]);
    const run = JSON.parse(await Deno.readTextFile(join(dir, "results/default/run.json")));
    assert.deepEqual(
      run.tasks.map((t: { key: string }) => t.key),
      keys,
      "the thread count is not in the key",
    );
    const ta = run.tasks.find((t: { name: string }) => t.name === "ta");
    const manifest = JSON.parse(await Deno.readTextFile(join(dir, `cache/objects/${ta.key}/manifest.json`)));
    assert.equal(manifest.settings.taskThreads, 1);
    assert.equal(manifest.settings.threads, 1);
    // Side by side, the two threaded tasks split the cores (each at least 1).
    r = await runToy(dir, ["reproduce", "--jobs", "3", "--force", "ta,tb"]);
    assert.equal(r.code, 0, r.stderr);
    const share = Math.max(1, Math.floor(cores / 2));
    assert.deepEqual([await threadsOf("ta"), await threadsOf("tb")], [share, Math.max(1, cores - share)]);
    r = await runToy(dir, ["reproduce", "--threads", "0"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--threads: expected an integer ≥ 1, got '0'/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("executors: --executor inline makes the same keys and outputs as process; unknown ones are errors", async () => {
  const dir = await makeToyProject();
  const local = await runToy(dir, ["reproduce", "--cache", join(dir, "c1"), "--results", join(dir, "r1")]);
  assert.equal(local.code, 0, local.stderr);
  const inline = await runToy(dir, [
    "reproduce",
    "--executor",
    "inline",
    "--cache",
    join(dir, "c2"),
    "--results",
    join(dir, "r2"),
  ]);
  assert.equal(inline.code, 0, inline.stderr);
  const tasksOf = async (r: string) =>
    JSON.parse(await Deno.readTextFile(join(dir, r, "default", "run.json"))).tasks.map((
      t: { name: string; key: string; outputDigest: string; object: string },
    ) => ({ ...t, manifest: JSON.parse(Deno.readTextFileSync(join(t.object, "manifest.json"))) }));
  const [a, b] = [await tasksOf("r1"), await tasksOf("r2")];
  assert.deepEqual(b.map((t: { key: string }) => t.key), a.map((t: { key: string }) => t.key));
  assert.deepEqual(
    b.map((t: { outputDigest: string }) => t.outputDigest),
    a.map((t: { outputDigest: string }) => t.outputDigest),
  );
  // The executor and the resources are recorded, not hashed; inline attempts have no process of their own.
  assert.deepEqual(
    a.map((t: { manifest: { settings: { executor: string } } }) => t.manifest.settings.executor),
    [
      "process",
      "process",
      "process",
      "process",
    ],
  );
  for (const t of b) {
    assert.equal(t.manifest.settings.executor, "inline");
    assert.deepEqual(t.manifest.settings.resources, { cpus: 1, memGiB: 4, gpus: 0, minutes: 60 });
    assert.equal(t.manifest.peakRssBytes, null);
  }
  const bad = await runToy(dir, ["reproduce", "--executor", "kubernetes"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--executor: expected one of process, inline, slurm, got 'kubernetes'/);
  await Deno.remove(dir, { recursive: true });
});

/** A toy pipeline with a sharded task: `parts` writes n files, `squares` is one shard per file. */
const SHARDED = {
  "parts.ts": `import { defineTask, p } from "${MOD}";
export const parts = defineTask({
  name: "parts",
  version: 1,
  params: { n: p.int(3, { min: 1 }) },
  run(ctx) {
    Deno.mkdirSync(ctx.out + "/parts");
    for (let i = 1; i <= ctx.params.n; i++) Deno.writeTextFileSync(ctx.out + "/parts/" + i + ".json", String(i));
  },
});
`,
  "squares.ts": `import { defineTask, p } from "${MOD}";
import { parts } from "./parts.ts";
export const squares = defineTask({
  name: "squares",
  version: 1,
  inputs: { parts },
  params: { failOn: p.int(0, { min: 0 }) },
  shards(params, inputs) {
    return [...Deno.readDirSync(inputs.parts + "/parts")].map((e) => e.name).sort().map((f) => ({
      id: "p" + f.replace(".json", ""),
      reads: { parts: ["parts/" + f] },
    }));
  },
  run(ctx) {
    const i = Number(ctx.shard!.slice(1));
    if (i === ctx.params.failOn) throw new Error("shard " + i + " was told to fail");
    const v = Number(Deno.readTextFileSync(ctx.inputs.parts + "/parts/" + i + ".json"));
    Deno.writeTextFileSync(ctx.out + "/square.txt", String(v * v));
  },
  merge(ctx) {
    let total = 0;
    for (const dir of Object.values(ctx.shards!)) total += Number(Deno.readTextFileSync(dir + "/square.txt"));
    Deno.writeTextFileSync(ctx.out + "/total.txt", String(total));
  },
});
`,
  "pipeline.ts": `import { definePipeline, main } from "${MOD}";
import { parts } from "./parts.ts";
import { squares } from "./squares.ts";
export const pipeline = definePipeline({
  module: import.meta.url,
  tasks: [parts, squares],
  profiles: [{ name: "default", description: "toy shards", params: {} }],
  defaultProfile: "default",
});
if (import.meta.main) await main(pipeline);
`,
};

Deno.test("sharded tasks: one cached object per shard, a merge; a new part runs only its shard; failures name it", async () => {
  const dir = await makeToyProject(SHARDED);
  const total = () => Deno.readTextFileSync(join(dir, "cache", "objects", run().tasks[1].key, "total.txt"));
  const run = () => JSON.parse(Deno.readTextFileSync(join(dir, "results/default/run.json")));
  const started = (stderr: string) => [...stderr.matchAll(/(squares\[\w+\]): started/g)].map((m) => m[1]);
  const first = await runToy(dir, ["reproduce", "--verbose"]);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(started(first.stderr).sort(), [
    "squares[merge]",
    "squares[p1]",
    "squares[p2]",
    "squares[p3]",
  ]);
  assert.equal(total(), String(1 + 4 + 9));
  // One more part: the parts object changes, and only the new part's shard runs; the merge reruns.
  const second = await runToy(dir, ["reproduce", "--verbose", "--param", "parts.n=4"]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /squares: 4 shards: 1 to run, 3 cached/);
  assert.deepEqual(started(second.stderr).sort(), ["squares[merge]", "squares[p4]"]);
  assert.equal(total(), String(1 + 4 + 9 + 16));
  // The run record lists the shards' keys (gc keeps them), and each is an object of its own.
  const record = JSON.parse(Deno.readTextFileSync(join(dir, "cache/runs/default.json")));
  assert.deepEqual(Object.keys(record.tasks.squares.shards), ["p1", "p2", "p3", "p4"]);
  for (const key of Object.values(record.tasks.squares.shards) as string[]) {
    const m = JSON.parse(Deno.readTextFileSync(join(dir, "cache/objects", key, "manifest.json")));
    assert.equal(m.task, "squares");
    assert.ok(m.components.shard.id.startsWith("p"));
  }
  const gc = await runToy(dir, ["gc", "--param", "parts.n=4"]);
  assert.equal(gc.code, 0, gc.stderr);
  for (const key of Object.values(record.tasks.squares.shards) as string[]) {
    assert.ok(await exists(join(dir, "cache/objects", key)), "gc keeps the shards of the latest run");
  }
  // A failing shard fails the task, naming the shard; the shards that ran stay cached.
  const failing = await runToy(dir, ["reproduce", "--param", "parts.n=5", "--param", "squares.failOn=5"]);
  assert.equal(failing.code, 1);
  assert.match(failing.stderr, /Task 'squares' failed: shard 'p5': shard 5 was told to fail/);
  await Deno.remove(dir, { recursive: true });
});
