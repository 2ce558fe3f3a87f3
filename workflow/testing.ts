/**
 * Test helpers for the engine: a toy project written to a temporary directory (real module files, so code
 * digests, child processes and edits are all real), and a way to run its CLI as a real child process.
 * @module
 */
import { join } from "node:path";

const MOD = new URL("./mod.ts", import.meta.url).href;

/** Files of the toy project: a chain `source → double → sum`, plus `side` (reads source) and `slow`. */
export function toyFiles(): Record<string, string> {
  return {
    "deno.json": "{}\n",
    "helper.ts": `// The factor used by double.
export const factor = 2;
`,
    "source.ts": `import { defineTask, p } from "${MOD}";
export const source = defineTask({
  name: "source",
  version: 1,
  params: { n: p.int(5, { min: 1 }), parity: p.int(0) },
  publish: ["values.json", "absent.txt"],
  run(ctx) {
    Deno.writeTextFileSync(ctx.out + "/unpublished.txt", "kept in the cache only");
    // parity does not change the output: used to test early cutoff.
    const values = Array.from({ length: ctx.params.n }, (_, i) => i + 1);
    Deno.writeTextFileSync(ctx.out + "/values.json", JSON.stringify(values));
    ctx.log.info("wrote " + values.length + " values");
  },
});
`,
    "double.ts": `import { defineTask } from "${MOD}";
import { source } from "./source.ts";
import { factor } from "./helper.ts";
export const double = defineTask({
  name: "double",
  version: 1,
  inputs: { source },
  run(ctx) {
    const values = JSON.parse(Deno.readTextFileSync(ctx.inputs.source + "/values.json")).map((v: number) => v * factor);
    Deno.writeTextFileSync(ctx.out + "/values.json", JSON.stringify(values));
  },
});
`,
    "sum.ts": `import { defineTask, p } from "${MOD}";
import { double } from "./double.ts";
export const sum = defineTask({
  name: "sum",
  version: 1,
  inputs: { double },
  params: { fail: p.bool(false) },
  publish: true,
  run(ctx) {
    if (ctx.params.fail) throw new Error("sum was told to fail");
    const values = JSON.parse(Deno.readTextFileSync(ctx.inputs.double + "/values.json"));
    Deno.writeTextFileSync(ctx.out + "/sum.json", JSON.stringify({ sum: values.reduce((a: number, b: number) => a + b, 0) }));
  },
});
`,
    "side.ts": `import { defineTask, p } from "${MOD}";
import { source } from "./source.ts";
export const side = defineTask({
  name: "side",
  version: 1,
  inputs: { source },
  params: { sleepMs: p.int(0, { min: 0 }) },
  async run(ctx) {
    // TOY_SLEEP_MS (not a param, so not in the key) lets a test slow down an attempt and resume it.
    const sleepMs = Number(Deno.env.get("TOY_SLEEP_MS") ?? ctx.params.sleepMs);
    const checkpoint = ctx.checkpoint + "/ticks";
    let start = 0;
    try {
      start = Number(Deno.readTextFileSync(checkpoint));
      ctx.log.info("resumed at tick " + start);
    } catch { /* first attempt */ }
    ctx.progress.start(10, "ticks");
    ctx.progress.set(start);
    for (let i = start; i < 10; i++) {
      await new Promise((r) => setTimeout(r, sleepMs / 10));
      ctx.signal.throwIfAborted();
      Deno.writeTextFileSync(checkpoint, String(i + 1));
      ctx.progress.tick();
    }
    Deno.writeTextFileSync(ctx.out + "/side.txt", "side " + Deno.readTextFileSync(ctx.inputs.source + "/values.json"));
  },
});
`,
    "pipeline.ts": `import { definePipeline, main } from "${MOD}";
import { source } from "./source.ts";
import { double } from "./double.ts";
import { sum } from "./sum.ts";
import { side } from "./side.ts";
export const pipeline = definePipeline({
  module: import.meta.url,
  tasks: [source, double, side, sum],
  profiles: [
    { name: "default", description: "toy", params: {} },
    { name: "big", description: "toy, more values", params: { source: { n: 8 } } },
  ],
  defaultProfile: "default",
  after: {
    name: "report",
    description: "a report from the exported results",
    async run(ctx) {
      if (Deno.env.get("TOY_REPORT_FAIL")) throw new Error("the report was told to fail");
      const sum = JSON.parse(await Deno.readTextFile(ctx.resultsDir + "/" + ctx.profile + "/sum/sum.json"));
      await Deno.writeTextFile(ctx.resultsDir + "/report.txt", ctx.profile + " " + sum.sum + "\\n", { append: true });
      ctx.log("wrote the report");
      return "report of " + ctx.profile;
    },
  },
});
if (import.meta.main) await main(pipeline);
`,
  };
}

/** Writes the toy project into a new temporary directory and returns its path. */
export async function makeToyProject(extra: Record<string, string> = {}): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "morphogan-engine-test-" });
  for (const [name, text] of Object.entries({ ...toyFiles(), ...extra })) {
    await Deno.writeTextFile(join(dir, name), text);
  }
  return dir;
}

/** Output of a CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `deno run -A pipeline.ts ARGS` in `dir` as a real child process. */
export async function runToy(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", join(dir, "pipeline.ts"), ...args],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", CI: "1", ...env },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Parses `status --json` output. */
export async function statusOf(
  dir: string,
  args: string[] = [],
): Promise<Record<string, { state: string; key: string | null; reasons: string[] }>> {
  const r = await runToy(dir, ["status", "--json", ...args]);
  if (r.code !== 0) throw new Error(`status failed (${r.code}): ${r.stderr}`);
  const plans = JSON.parse(r.stdout) as {
    task: string;
    state: string;
    key: string | null;
    reasons: string[];
  }[];
  return Object.fromEntries(plans.map((p) => [p.task, p]));
}
