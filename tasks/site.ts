/**
 * `site`: the step after the DAG — the Astro site (site/) built from every profile in `results/`. Not a task:
 * it reads the exported results (run.json included, which the engine writes after the DAG). It rebuilds only
 * when the site's sources or the results changed: the digest of both (with run.json's run timestamps left
 * out) is kept beside the build. Output: `site/dist/` for the project's own `results/`, else `site/` beside
 * the results folder given. `--no-site` skips it.
 * @module
 */
import { dirname, join, relative, resolve } from "node:path";
import type { AfterStep } from "../workflow/mod.ts";
import { sha256 } from "../workflow/hash.ts";

/** The file beside a built site that holds the digest it was built from. */
export const STAMP = ".build-digest";
/** Site folders that are not sources. */
const NOT_SOURCES = new Set(["dist", "node_modules", ".astro", "tests"]);

async function* files(dir: string, skip: (rel: string) => boolean, base = dir): AsyncGenerator<string> {
  const entries = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const path = join(dir, e.name);
    const rel = relative(base, path);
    if (skip(rel)) continue;
    if (e.isDirectory) yield* files(path, skip, base);
    else if (e.isFile) yield path;
  }
}

/** run.json without what changes on every run although nothing else did. */
function stableRunJson(text: string): string {
  const run = JSON.parse(text);
  delete run.started;
  delete run.finished;
  delete run.durationMs;
  return JSON.stringify(run);
}

/** The digest of the site's sources and of the results it is built from. */
export async function siteDigest(root: string, resultsDir: string): Promise<string> {
  const parts: string[] = [];
  const site = join(root, "site");
  for await (const f of files(site, (rel) => NOT_SOURCES.has(rel.split("/")[0]))) {
    parts.push(`site/${relative(site, f)} ${sha256(await Deno.readFile(f))}`);
  }
  for await (const f of files(resultsDir, (rel) => rel.startsWith(".") || rel === "site")) {
    const rel = relative(resultsDir, f);
    const bytes = rel.split("/").length === 2 && rel.endsWith("/run.json")
      ? new TextEncoder().encode(stableRunJson(await Deno.readTextFile(f)))
      : await Deno.readFile(f);
    parts.push(`results/${rel} ${sha256(bytes)}`);
  }
  return sha256(parts.join("\n"));
}

/** Where the site of a results folder goes. */
export function siteOut(root: string, resultsDir: string): string {
  return resolve(resultsDir) === resolve(root, "results")
    ? join(root, "site", "dist")
    : join(dirname(resolve(resultsDir)), "site");
}

/**
 * Builds the site of `resultsDir` for `base` unless the one in place already shows them: its stamp holds the
 * digest of the site's sources and the results (and the base, when not "/").
 */
export async function ensureSite(
  root: string,
  resultsDir: string,
  base: string,
  log: (line: string) => void,
): Promise<{ out: string; rebuilt: boolean; pages: number; stale: boolean }> {
  const out = siteOut(root, resultsDir);
  const want = `${await siteDigest(root, resultsDir)}${base === "/" ? "" : ` base=${base}`}`;
  const have = (await Deno.readTextFile(join(out, STAMP)).catch(() => "")).trim();
  if (have === want) return { out, rebuilt: false, pages: 0, stale: false };
  const { buildSite } = await import("../site/build.ts");
  const r = await buildSite({ results: resultsDir, out, base, log });
  await Deno.writeTextFile(join(out, STAMP), want + "\n");
  return { out, rebuilt: true, pages: r.pages, stale: have !== "" };
}

/** The after-DAG step that builds the site. */
export const siteStep: AfterStep = {
  name: "site",
  description: "the Astro results site from every profile in results/",
  async run(ctx) {
    const r = await ensureSite(ctx.root, ctx.resultsDir, "/", ctx.log);
    const shown = relative(Deno.cwd(), r.out) || ".";
    return r.rebuilt
      ? `built ${r.pages} pages → ${shown}/ (open with: deno task preview)`
      : `up to date → ${shown}/ (deno task preview)`;
  },
};
