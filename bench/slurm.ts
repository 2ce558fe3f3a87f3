/**
 * `deno task bench slurm` → `bench/results/slurm.json`: the `segment` task of the quick profile (its
 * synthetic plates) sharded by plate, on the local executor and as jobs of a Slurm cluster (the single-node
 * one of `tools/slurm-local.sh`), beside one shard of every plate (`segment.maxFields` set: the task as it
 * ran before sharding, one process with a worker per core). Each: wall time of `reproduce --until segment
 * --force segment` (the CLI's start included), the task's time, the jobs it made; and Slurm's own overhead:
 * `sbatch --wrap true` until the job has left the queue, median of 5.
 *
 * Needs `sbatch` and a cluster answering `sinfo`; the synthetic plates are made once in a temporary cache.
 *
 * @module
 */
import { join } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Seconds of a duration as the summary table prints it ("203 ms", "12.3 s", "1m06s"). */
function parseDuration(text: string): number {
  const m = /^(?:(\d+)m)?(\d+(?:\.\d+)?)\s*(ms|s)?$/.exec(text.trim());
  if (!m) throw new Error(`cannot read the duration '${text}'`);
  return (m[1] ? Number(m[1]) * 60 : 0) + Number(m[2]) / (m[3] === "ms" ? 1000 : 1);
}

async function cli(args: string[]): Promise<{ seconds: number; stdout: string; stderr: string }> {
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", join(ROOT, "tasks/pipeline.ts"), ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { CI: "1", NO_COLOR: "1" },
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  if (out.code !== 0) throw new Error(`reproduce ${args.join(" ")} failed:\n${stderr}`);
  return { seconds: (performance.now() - t0) / 1000, stdout: new TextDecoder().decode(out.stdout), stderr };
}

async function sh(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (out.code !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout).trim();
}

/** Seconds from `sbatch --wrap true` until the job has left the queue. */
async function noopJob(): Promise<number> {
  const t0 = performance.now();
  const id = (await sh("sbatch", ["--parsable", "--output=/dev/null", "--wrap", "true"])).split(";")[0];
  while ((await sh("squeue", ["-h", "-j", id, "-o", "%T"]).catch(() => "")) !== "") {
    await new Promise((r) => setTimeout(r, 50));
  }
  return (performance.now() - t0) / 1000;
}

/** Runs the benchmark and writes `bench/results/slurm.json`. */
export async function main() {
  await sh("sinfo", ["-h"]).catch((e) => {
    throw new Error(`no Slurm cluster (${e.message.trim()}): start one with sudo tools/slurm-local.sh up`);
  });
  const tmp = await Deno.makeTempDir({ prefix: "morphogan-bench-slurm-" });
  const base = [
    "--profile",
    "quick",
    "--cache",
    join(tmp, "cache"),
    "--results",
    join(tmp, "results"),
    "--no-site",
  ];
  await cli(["reproduce", ...base, "--until", "synthesize"]);
  const cases = [];
  for (
    const [label, extra] of [
      ["one shard of every plate, local (as before sharding)", ["--param", "segment.maxFields=1000000"]],
      ["a shard per plate, local", []],
      ["a shard per plate, Slurm", ["--executor", "slurm"]],
    ] as const
  ) {
    const r = await cli([
      "reproduce",
      ...base,
      "--until",
      "segment",
      "--force",
      "segment",
      "--verbose",
      ...extra,
    ]);
    const row = /^segment\s+ran\s+(\S+(?: m?s)?)\s/m.exec(r.stdout);
    if (!row) throw new Error(`no segment row in the summary:\n${r.stdout}`);
    const seg = { durationMs: parseDuration(row[1]) * 1000 };
    const shards = (r.stderr.match(/segment\[(?!merge)[^\]]+\]: started/g) ?? []).length;
    cases.push({
      label,
      commandSeconds: Math.round(r.seconds * 10) / 10,
      taskSeconds: Math.round(seg.durationMs / 100) / 10,
      shards,
      jobs: (extra as readonly string[]).includes("slurm") ? shards + 1 : 0,
    });
    console.error(
      `  ${label}: ${r.seconds.toFixed(1)} s (task ${
        (seg.durationMs / 1000).toFixed(1)
      } s, ${shards} shards)`,
    );
  }
  const noop = [];
  for (let i = 0; i < 5; i++) noop.push(await noopJob());
  const [whole, local, slurm] = cases;
  const result = {
    date: new Date().toISOString().slice(0, 10),
    machine:
      `${navigator.hardwareConcurrency} cores; the cluster: one node on the same machine (tools/slurm-local.sh)`,
    cases,
    slurmNoopJobSeconds: Math.round(median(noop) * 100) / 100,
    slurmOverheadPerJobSeconds: Math.round(((slurm.taskSeconds - local.taskSeconds) / slurm.jobs) * 100) /
      100,
    shardedOverUnsharded: Math.round((whole.taskSeconds / local.taskSeconds) * 100) / 100,
  };
  const out = new URL("./results/slurm.json", import.meta.url).pathname;
  await Deno.writeTextFile(out + ".tmp", JSON.stringify(result, null, 2) + "\n");
  await Deno.rename(out + ".tmp", out);
  await Deno.remove(tmp, { recursive: true });
  return result;
}
