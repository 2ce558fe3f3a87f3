/**
 * A fault campaign: the tiny profile run again and again while something kills it (SIGKILL, no chance to
 * clean up), then compared byte for byte with an uninterrupted run. The test (tests/faults_test.ts) and the
 * benchmark (bench/faults.ts → bench/results/faults.json) run it.
 *
 * Kills, of each kind in turn with the moment and the victim drawn from a seeded generator, each in a fresh
 * `reproduce` (with `--force all` after one that finished, so that there is always work to interrupt):
 *
 * - `runner`: the runner, at a random moment;
 * - `task`: a random task process of the runner, at a random moment;
 * - `checkpoint`: the runner or the training process, the moment a training checkpoint is written;
 * - `commit`, `replace`, `export`: the runner kills itself at a fault point (workflow/faults.ts): a task's
 *   output digested but not yet renamed into the store, between the two renames that replace an object or
 *   the results folder, the results written but not yet renamed in;
 * - `site`: the runner, while it builds the site.
 *
 * After every kill: every process the runner had started exits (none outlives it). At the end, one run
 * without faults, then: the same tasks with the same keys; every file of every cache object but its manifest,
 * and every file of `results/` but run.json, byte-identical to the uninterrupted run's; `cache/tmp` empty.
 * @module
 */
import { join, relative } from "node:path";
import { mulberry32 } from "../lib/profiling/crop_synthetic.ts";

/** What a campaign does. */
export interface CampaignOptions {
  /** The project root (tasks/pipeline.ts). */
  root: string;
  /** A scratch folder (two caches and result folders go in it). */
  dir: string;
  /** Kills that must land (≥ 1). */
  kills: number;
  seed: number;
  profile?: string;
  /** Extra `reproduce` arguments for every run (e.g. `--param` to checkpoint often). */
  args?: string[];
  log?: (line: string) => void;
}

/** One kill. */
export interface Kill {
  kind: Kind;
  /** Milliseconds after the run started. */
  atMs: number;
  /** What was killed: `runner`, or a task process. */
  target: string;
  /** Processes the runner had started that were still alive 10 s after it died. */
  orphans: number;
}

/** What a campaign found. */
export interface CampaignResult {
  kills: Kill[];
  /** Runs started, the final one included. */
  runs: number;
  /** Runs a kill meant for did finish first (not counted as kills). */
  finishedFirst: number;
  seconds: { reference: number; campaign: number };
  compared: { objects: number; files: number; bytes: number; resultFiles: number };
  /** What differed (empty when the campaign passed). */
  mismatches: string[];
  /** Left in the campaign's cache/tmp at the end. */
  tmpLeft: string[];
  orphans: number;
}

const KINDS = ["runner", "task", "checkpoint", "commit", "replace", "export", "site"] as const;
type Kind = typeof KINDS[number];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every live process below `pid`, with its command line. */
async function descendants(pid: number): Promise<{ pid: number; cmd: string }[]> {
  const parent = new Map<number, number>();
  const cmds = new Map<number, string>();
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = await Deno.readTextFile(`/proc/${e.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parent.set(Number(e.name), ppid);
      cmds.set(Number(e.name), (await Deno.readTextFile(`/proc/${e.name}/cmdline`)).replaceAll("\0", " "));
    } catch { /* exited */ }
  }
  const out: { pid: number; cmd: string }[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parent) {
      if (pp === p) {
        out.push({ pid: c, cmd: cmds.get(c) ?? "" });
        walk(c);
      }
    }
  };
  walk(pid);
  return out;
}

async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** The newest modification time of any training checkpoint (`checkpoint.bin`) in the cache (0: none). */
async function newestCheckpoint(cache: string): Promise<number> {
  let t = 0;
  const walk = async (dir: string) => {
    try {
      for await (const e of Deno.readDir(dir)) {
        const p = join(dir, e.name);
        if (e.isDirectory) await walk(p);
        else if (e.name === "checkpoint.bin") {
          const s = await Deno.stat(p).catch(() => null);
          if (s?.mtime) t = Math.max(t, s.mtime.getTime());
        }
      }
    } catch { /* not there (yet), or removed meanwhile */ }
  };
  await walk(join(cache, "checkpoints"));
  return t;
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) out.push(...await listFiles(p, base));
    else out.push(relative(base, p));
  }
  return out.sort();
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Runs the campaign (see the module). */
export async function runCampaign(o: CampaignOptions): Promise<CampaignResult> {
  const log = o.log ?? (() => {});
  const profile = o.profile ?? "tiny";
  const random = mulberry32(o.seed);
  const dirsOf = (name: string) => ({
    cache: join(o.dir, name, "cache"),
    results: join(o.dir, name, "results"),
  });
  const spawn = (d: { cache: string; results: string }, extra: string[], env: Record<string, string> = {}) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        join(o.root, "tasks/pipeline.ts"),
        "reproduce",
        "--profile",
        profile,
        "--cache",
        d.cache,
        "--results",
        d.results,
        ...(o.args ?? []),
        ...extra,
      ],
      cwd: o.root,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { CI: "1", NO_COLOR: "1", ...env },
    }).spawn();
  const drain = async (p: Deno.ChildProcess, onLine: (l: string) => void) => {
    const read = async (s: ReadableStream<Uint8Array>) => {
      let buf = "";
      for await (const chunk of s.pipeThrough(new TextDecoderStream())) {
        buf += chunk;
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          onLine(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      }
    };
    await Promise.all([read(p.stdout), read(p.stderr)]);
  };

  // 1. The uninterrupted run.
  const ref = dirsOf("reference");
  let t0 = performance.now();
  {
    const p = spawn(ref, []);
    const lines: string[] = [];
    await drain(p, (l) => lines.push(l));
    const s = await p.status;
    if (!s.success) throw new Error(`the uninterrupted run failed:\n${lines.slice(-20).join("\n")}`);
  }
  const referenceSeconds = (performance.now() - t0) / 1000;
  log(`reference run: ${referenceSeconds.toFixed(1)} s`);

  // 2. The campaign.
  const c = dirsOf("campaign");
  t0 = performance.now();
  const kills: Kill[] = [];
  let runs = 0, finishedFirst = 0, finished = false;
  while (kills.length < o.kills) {
    // Each kind in turn (every one is covered); the moment and the victim drawn.
    const kind = KINDS[kills.length % KINDS.length];
    // Which visit of the fault point kills (a run exports its results once: always the first export).
    const visit = kind === "export" ? 1 : 1 + Math.floor(random() * 3);
    const delay = 300 + random() * 7000;
    const pick = random();
    const env: Record<string, string> = ["commit", "replace", "export"].includes(kind)
      ? { MORPHOGAN_FAULT: `${kind}:${visit}` }
      : {};
    const started = performance.now();
    const p = spawn(c, finished ? ["--force", "all"] : [], env);
    runs++;
    let siteStarted = false;
    const done = drain(p, (l) => {
      if (/^\[[\d:]+\] site: /.test(l) || /^site: /.test(l)) siteStarted = true;
    });
    const status = p.status;
    let exited = false;
    status.then(() => (exited = true));
    const before = await newestCheckpoint(c.cache);
    let target = "runner";
    let victims: { pid: number; cmd: string }[] = [];
    // Wait for the moment, then kill (the fault points kill on their own).
    const deadline = Date.now() + 240_000;
    while (!exited && Date.now() < deadline) {
      const elapsed = performance.now() - started;
      let now = false;
      if (kind === "runner" || kind === "task") now = elapsed >= delay;
      else if (kind === "checkpoint") now = (await newestCheckpoint(c.cache)) > before;
      else if (kind === "site") now = siteStarted;
      if (now) {
        victims = await descendants(p.pid);
        const tasks = victims.filter((v) => v.cmd.includes("child.ts"));
        if ((kind === "task" || (kind === "checkpoint" && pick < 0.5)) && tasks.length) {
          const v = tasks[Math.floor(pick * tasks.length) % tasks.length];
          target = "task process";
          try {
            Deno.kill(v.pid, "SIGKILL");
          } catch { /* already gone */ }
        } else {
          try {
            p.kill("SIGKILL");
          } catch { /* already gone */ }
        }
        break;
      }
      await sleep(kind === "checkpoint" ? 10 : 50);
    }
    const s = await status;
    await done;
    if (s.success) {
      finished = true;
      finishedFirst++;
      log(`run ${runs}: ${kind} did not land before the run finished`);
      continue;
    }
    finished = false;
    if (env.MORPHOGAN_FAULT) victims = [];
    // Nothing the runner started outlives it (a killed task process fails the run; its siblings are cancelled).
    const wait = Date.now() + 10_000;
    let orphans = victims;
    while (Date.now() < wait) {
      orphans = [];
      for (const v of victims) if (await alive(v.pid)) orphans.push(v);
      if (!orphans.length) break;
      await sleep(100);
    }
    const atMs = Math.round(performance.now() - started);
    kills.push({
      kind,
      atMs,
      target: env.MORPHOGAN_FAULT ? `runner at ${env.MORPHOGAN_FAULT}` : target,
      orphans: orphans.length,
    });
    log(
      `kill ${kills.length}: ${kind} (${kills.at(-1)!.target}) at ${
        (atMs / 1000).toFixed(1)
      } s, exit ${s.code}${
        orphans.length ? `, ${orphans.length} orphans: ${orphans.map((v) => v.cmd).join("; ")}` : ""
      }`,
    );
    for (const v of orphans) {
      try {
        Deno.kill(v.pid, "SIGKILL");
      } catch { /* gone */ }
    }
  }
  // The last run, without faults.
  for (let i = 0;; i++) {
    const p = spawn(c, []);
    runs++;
    const lines: string[] = [];
    await drain(p, (l) => lines.push(l));
    if ((await p.status).success) break;
    if (i === 2) throw new Error(`the run after the campaign failed:\n${lines.slice(-20).join("\n")}`);
  }
  const campaignSeconds = (performance.now() - t0) / 1000;

  // 3. Compare.
  const mismatches: string[] = [];
  const runOf = async (d: { results: string }) =>
    JSON.parse(await Deno.readTextFile(join(d.results, profile, "run.json"))) as {
      tasks: { name: string; key: string; object: string }[];
    };
  const [a, b] = [await runOf(ref), await runOf(c)];
  const compared = { objects: 0, files: 0, bytes: 0, resultFiles: 0 };
  const compareTrees = async (x: string, y: string, skip: (rel: string) => boolean, what: string) => {
    const [fx, fy] = [
      (await listFiles(x)).filter((f) => !skip(f)),
      (await listFiles(y)).filter((f) => !skip(f)),
    ];
    if (fx.join("\n") !== fy.join("\n")) {
      const only = [...fx.filter((f) => !fy.includes(f)), ...fy.filter((f) => !fx.includes(f))];
      mismatches.push(`${what}: the files differ (${only.slice(0, 5).join(", ")})`);
      return 0;
    }
    for (const f of fx) {
      const [bx, by] = [await Deno.readFile(join(x, f)), await Deno.readFile(join(y, f))];
      if (!equalBytes(bx, by)) mismatches.push(`${what}: ${f} differs`);
      compared.bytes += bx.length;
    }
    return fx.length;
  };
  if (
    a.tasks.map((t) => `${t.name} ${t.key}`).join("\n") !==
      b.tasks.map((t) => `${t.name} ${t.key}`).join("\n")
  ) {
    mismatches.push("run.json: other tasks or keys");
  }
  for (const t of a.tasks) {
    const u = b.tasks.find((x) => x.name === t.name);
    if (!u) continue;
    compared.files += await compareTrees(
      t.object,
      u.object,
      (f) => f === "manifest.json",
      `object of ${t.name}`,
    );
    compared.objects++;
  }
  compared.resultFiles = await compareTrees(
    ref.results,
    c.results,
    (f) => f === `${profile}/run.json`,
    "results",
  );
  const tmpLeft = await listFiles(join(c.cache, "tmp")).catch(() => []);
  if (tmpLeft.length) mismatches.push(`cache/tmp holds ${tmpLeft.length} files`);
  const orphans = kills.reduce((s, k) => s + k.orphans, 0);
  if (orphans) mismatches.push(`${orphans} processes outlived their runner`);
  return {
    kills,
    runs,
    finishedFirst,
    seconds: { reference: referenceSeconds, campaign: campaignSeconds },
    compared,
    mismatches,
    tmpLeft,
    orphans,
  };
}
