/**
 * Engine benchmark: a 20-task DAG of small tasks in a temporary project.
 * - no-op rerun: wall time of `deno run pipeline.ts reproduce` when everything is cached, Deno start included
 *   (goal < 1 s);
 * - keys: time to load the module graph and compute all 20 keys, cold (no graph cache) and warm;
 * - store overhead per task: work dir + digest + manifest + rename + quick check, for a 1 MiB output; and the
 *   cost of running a task in its own process instead of inline.
 * Writes bench/results/engine.json.
 * @module
 */
import { join } from "node:path";
import { CodeDigester } from "../workflow/code_digest.ts";
import { definePipeline } from "../workflow/pipeline.ts";
import { Planner } from "../workflow/plan.ts";
import { Store } from "../workflow/store.ts";

const MOD = new URL("../workflow/mod.ts", import.meta.url).href;
const N = 20;

function dagSource(isolation: "process" | "inline"): string {
  const lines = [`import { defineTask, definePipeline, main, p } from "${MOD}";`, `const tasks = [];`];
  for (let i = 0; i < N; i++) {
    const inputs = [i - 1, i - 2].filter((j) => j >= 0).map((j) => `t${j}: tasks[${j}]`).join(", ");
    lines.push(`tasks.push(defineTask({
  name: "t${i}", version: 1, isolation: "${isolation}", inputs: { ${inputs} }, params: { size: p.int(1024) },
  run(ctx) { Deno.writeTextFileSync(ctx.out + "/out.txt", "${i}".repeat(ctx.params.size)); },
}));`);
  }
  lines.push(`export const pipeline = definePipeline({ module: import.meta.url, tasks,
  profiles: [{ name: "default", description: "bench", params: {} }], defaultProfile: "default" });
if (import.meta.main) await main(pipeline);`);
  return lines.join("\n");
}

async function cli(dir: string, file: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", join(dir, file), ...args],
    cwd: dir,
    stdout: "null",
    stderr: "piped",
    env: { CI: "1" },
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 10) / 10;

/** Runs the benchmark and writes bench/results/engine.json. */
export async function main(): Promise<Record<string, unknown>> {
  const dir = await Deno.makeTempDir({ prefix: "morphogan-bench-engine-" });
  try {
    await Deno.writeTextFile(join(dir, "deno.json"), "{}\n");
    await Deno.writeTextFile(join(dir, "process.ts"), dagSource("process"));
    await Deno.writeTextFile(join(dir, "inline.ts"), dagSource("inline"));

    const firstProcess = await cli(dir, "process.ts", ["reproduce", "--cache", "cache-p", "--jobs", "2"]);
    const firstInline = await cli(dir, "inline.ts", ["reproduce", "--cache", "cache-i", "--jobs", "2"]);
    const noop: number[] = [];
    for (let i = 0; i < 7; i++) noop.push(await cli(dir, "process.ts", ["reproduce", "--cache", "cache-p"]));
    const start: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await new Deno.Command(Deno.execPath(), { args: ["eval", "0"], stdout: "null" }).output();
      start.push(performance.now() - t0);
    }

    // Keys, in process.
    const { pipeline: dag } = await import(join(dir, "process.ts"));
    const pipeline = definePipeline({ ...dag, module: dag.module, profiles: Object.values(dag.profiles) });
    const store = new Store(join(dir, "cache-p"));
    const keys = async (graphCache: string | undefined) => {
      const t0 = performance.now();
      const digester = await CodeDigester.load(pipeline.module, pipeline.root, graphCache);
      const planner = new Planner({ pipeline, profile: "default", store, digester });
      const plans = await planner.plan();
      if (plans.some((p) => p.state !== "cached")) throw new Error("expected every task cached");
      return performance.now() - t0;
    };
    const keysCold = median([await keys(undefined), await keys(undefined), await keys(undefined)]);
    const keysWarm = median([
      await keys(join(dir, "cache-p", "code-graph.json")),
      await keys(join(dir, "cache-p", "code-graph.json")),
      await keys(join(dir, "cache-p", "code-graph.json")),
    ]);

    // Store overhead for one task with a 1 MiB output.
    const s2 = new Store(join(dir, "cache-s"));
    const overhead: number[] = [];
    const payload = new Uint8Array(1 << 20).map((_, i) => i * 7);
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const work = await s2.newWorkDir("bench");
      await Deno.writeFile(join(work, "out", "data.bin"), payload);
      const key = `k${i}`.padEnd(64, "0");
      await s2.commit(key, join(work, "out"), {
        task: "bench",
        components: { engine: 1, task: "bench", version: 1, params: {}, code: "", npm: [], inputs: {} },
        codeFiles: {},
        inputKeys: {},
        started: "",
        finished: "",
        durationMs: 0,
        host: { hostname: "", os: "", arch: "", cpus: 0 },
        versions: { deno: "", v8: "", typescript: "" },
        settings: {},
        log: [],
      });
      await s2.verify(key, "quick");
      overhead.push(performance.now() - t0);
    }

    const results = {
      benchmark: "engine",
      date: new Date().toISOString(),
      machine: { cpus: navigator.hardwareConcurrency, os: Deno.build.os, deno: Deno.version.deno },
      tasks: N,
      noop_rerun_ms: { median: round(median(noop)), min: round(Math.min(...noop)), goal: 1000 },
      deno_start_ms: round(median(start)),
      first_run_ms: { process_isolation: round(firstProcess), inline: round(firstInline) },
      process_isolation_overhead_per_task_ms: round((firstProcess - firstInline) / N),
      keys_ms: { cold_with_deno_info: round(keysCold), warm_graph_cache: round(keysWarm) },
      store_overhead_per_task_ms: { median: round(median(overhead)), output_bytes: payload.length },
    };
    const out = new URL("./results/engine.json", import.meta.url);
    await Deno.mkdir(new URL("./results/", import.meta.url), { recursive: true });
    await Deno.writeTextFile(out, JSON.stringify(results, null, 2) + "\n");
    return results;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) console.log(JSON.stringify(await main(), null, 2));
