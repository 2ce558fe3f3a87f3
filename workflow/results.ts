/**
 * The results export of a completed run: `results/<profile>/run.json` (the DAG with each task's key, state,
 * duration, params, inputs and provenance) and a copy of every `publish` task's output; and the summary table
 * the command line prints.
 * @module
 */
import { faultPoint } from "./faults.ts";
import { dirname, join } from "node:path";
import { copyTree, formatBytes, formatDuration, removeTree, replaceDir } from "./fsutil.ts";
import { ENGINE_VERSION, type Planner } from "./plan.ts";
import type { RunOptions, TaskOutcome } from "./run.ts";
import { MANIFEST, type Store } from "./store.ts";
import { host, versions } from "./provenance.ts";

/** Copies the listed top-level entries of an output folder (those that exist) into `dest`. */
async function copyPublished(src: string, dest: string, entries: readonly string[]): Promise<void> {
  await Deno.mkdir(dest, { recursive: true });
  for (const entry of entries) {
    if (entry.includes("..") || entry.startsWith("/")) {
      throw new Error(`publish: expected a path inside the task's output, got '${entry}'`);
    }
    const info = await Deno.stat(join(src, entry)).catch(() => null);
    if (!info) continue;
    if (info.isDirectory) await copyTree(join(src, entry), join(dest, entry));
    else {
      await Deno.mkdir(dirname(join(dest, entry)), { recursive: true });
      await Deno.copyFile(join(src, entry), join(dest, entry));
    }
  }
}

/**
 * Writes `results/<profile>/`: `run.json` (the DAG with each task's key, state, duration, params, inputs and
 * provenance) and a copy of every `publish` task's output under its name. Built beside and swapped in.
 */
export async function exportResults(
  opts: RunOptions,
  store: Store,
  planner: Planner,
  outcomes: TaskOutcome[],
  t0: number,
): Promise<string> {
  const target = join(opts.resultsDir, opts.profile);
  // What an export killed half way left beside the folder (its temporary copy, or the folder it replaced).
  await Deno.mkdir(opts.resultsDir, { recursive: true });
  for await (const e of Deno.readDir(opts.resultsDir)) {
    if (e.name.startsWith(`.${opts.profile}.tmp-`)) await removeTree(join(opts.resultsDir, e.name));
  }
  const tmp = join(opts.resultsDir, `.${opts.profile}.tmp-${crypto.randomUUID().slice(0, 8)}`);
  await Deno.mkdir(tmp, { recursive: true });
  const tasks = [];
  for (const o of outcomes) {
    const t = planner.task(o.task);
    const manifest = (await store.readManifest(o.key!))!;
    // The manifest stays in the store: run.json carries what it says, and its times are no output.
    if (t.publish === true) {
      await copyTree(store.objectDir(o.key!), join(tmp, t.name), (rel) => rel === MANIFEST);
    } else if (t.publish) await copyPublished(store.objectDir(o.key!), join(tmp, t.name), t.publish);
    tasks.push({
      name: t.name,
      description: t.description ?? "",
      key: o.key,
      state: o.state,
      durationMs: o.state === "ran" ? o.durationMs : 0,
      peakRssBytes: o.state === "ran" ? o.peakRssBytes : null,
      reasons: o.reasons,
      computed: {
        started: manifest.started,
        finished: manifest.finished,
        durationMs: manifest.durationMs,
        peakRssBytes: manifest.peakRssBytes ?? null,
        facts: manifest.facts ?? {},
      },
      version: t.version,
      params: planner.params(t),
      inputs: Object.fromEntries(planner.inputs(t).map(([name, up]) => [name, up.name])),
      inputKeys: manifest.inputKeys,
      codeDigest: manifest.components.code,
      codeFiles: Object.keys(manifest.codeFiles),
      npm: manifest.components.npm,
      outputDigest: manifest.outputDigest,
      files: Object.keys(manifest.files).length,
      bytes: Object.values(manifest.files).reduce((a, f) => a + f.size, 0),
      published: t.publish ? t.name : null,
      object: store.objectDir(o.key!),
    });
  }
  const prof = opts.pipeline.profiles[opts.profile];
  const run = {
    profile: opts.profile,
    description: prof.description,
    engine: ENGINE_VERSION,
    started: new Date(t0).toISOString(),
    finished: new Date().toISOString(),
    durationMs: Date.now() - t0,
    host: host(),
    versions: versions(),
    settings: opts.settings,
    tasks,
  };
  await Deno.writeTextFile(join(tmp, "run.json"), JSON.stringify(run, null, 2) + "\n");
  faultPoint("export");
  await replaceDir(tmp, target);
  return target;
}

/** A formatted summary table: task, state, duration. */
export function summaryTable(summary: { tasks: TaskOutcome[]; durationMs: number }): string {
  const rows = summary.tasks.filter((t) => t.state !== "skipped");
  const w = Math.max(4, ...rows.map((r) => r.task.length));
  const lines = [`${"task".padEnd(w)}  ${"state".padEnd(9)}  ${"duration".padEnd(9)}  peak memory`];
  for (const r of rows) {
    const ran = r.state === "ran" || r.state === "failed";
    lines.push(
      `${r.task.padEnd(w)}  ${r.state.padEnd(9)}  ${(ran ? formatDuration(r.durationMs) : "-").padEnd(9)}  ${
        r.state === "ran" && r.peakRssBytes ? formatBytes(r.peakRssBytes) : "-"
      }`.trimEnd(),
    );
  }
  const peak = Math.max(0, ...rows.map((r) => (r.state === "ran" ? r.peakRssBytes ?? 0 : 0)));
  lines.push(
    `${"total".padEnd(w)}  ${"".padEnd(9)}  ${formatDuration(summary.durationMs).padEnd(9)}  ${
      peak ? `${formatBytes(peak)} (largest task)` : ""
    }`.trimEnd(),
  );
  return lines.join("\n");
}
