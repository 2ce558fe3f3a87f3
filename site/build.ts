/**
 * Builds the results site: validates every profile folder of `results/` (docs/results.md), renders the Astro
 * pages in `site/src/` with that data (Astro's programmatic `build`, run under Deno), and copies each profile's
 * results files under `<out>/<profile>/files/`. Every URL in the output is relative, so the site works from any
 * static file server at any base path, and it makes no external requests.
 *
 * ```sh
 * deno task site [--profile P]... [--results DIR] [--out DIR] [--base /path/]
 * ```
 * @module
 */
import { copyFile, mkdir, readdir, rm, stat } from "node:fs/promises";
import process from "node:process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { listProfiles, loadProfile } from "./lib/load.ts";
import { setSiteData } from "./lib/site.ts";
import { flags } from "./lib/args.ts";

/** The site's source folder (where this file is). */
export const SITE_DIR: string = dirname(fileURLToPath(import.meta.url));

/** What {@link buildSite} builds. */
export interface BuildOptions {
  /** The results folder holding `<profile>/run.json`. */
  results: string;
  /** The output folder (replaced: it must be absent, empty, or a previous build). */
  out: string;
  /** The base path the site is served at (default "/"); URLs are relative, so any base works anyway. */
  base?: string;
  /** The profiles to include (default: every profile folder, `quick` first). */
  profiles?: string[];
  /** Progress lines. */
  log?: (line: string) => void;
}

/** What {@link buildSite} made. */
export interface BuildResult {
  /** The output folder (absolute). */
  out: string;
  /** HTML pages written. */
  pages: number;
  durationMs: number;
}

async function exists(path: string): Promise<boolean> {
  return await stat(path).then(() => true, () => false);
}

/** Empties `out` for a new build, refusing to touch a folder that is neither empty nor a previous build. */
async function prepareOut(out: string): Promise<void> {
  if (!(await exists(out))) return;
  const entries = (await readdir(out)).filter((e) => !e.startsWith("."));
  if (entries.length > 0 && !entries.includes("index.html")) {
    throw new Error(`Refusing to replace ${out}: it is not empty and does not look like a built site`);
  }
  await rm(out, { recursive: true, force: true });
}

async function countPages(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) n += await countPages(join(dir, e.name));
    else if (e.name.endsWith(".html")) n++;
  }
  return n;
}

/** Normalises a base path to "/x/y/" form. */
export function normalizeBase(base: string | undefined): string {
  const parts = (base ?? "/").split("/").filter(Boolean);
  return parts.length ? `/${parts.join("/")}/` : "/";
}

/**
 * Builds the site from `opts.results` into `opts.out`. Throws a ResultsFileError naming the file and field
 * when a results file is malformed, before anything is written.
 */
export async function buildSite(opts: BuildOptions): Promise<BuildResult> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const results = resolve(opts.results);
  const out = resolve(opts.out);
  const names = opts.profiles?.length ? opts.profiles : listProfiles(results);
  if (names.length === 0) throw new Error(`No profile folders (with a run.json) in ${results}`);
  const profiles = names.map((name) => {
    if (!/^[\w.-]+$/.test(name) || name.startsWith(".")) throw new Error(`Not a profile name: '${name}'`);
    const p = loadProfile(results, name);
    const parts = [
      p.table1 && "Table 1",
      p.figures.length && `${p.figures.length} figures`,
      p.trainings.length && `${p.trainings.length} trainings`,
      p.gallery && "gallery",
      p.phenotypes && "phenotypes",
    ].filter(Boolean);
    log(`${name}: ${p.run.tasks.length} tasks; ${parts.join(", ") || "run.json only"}`);
    return p;
  });
  if (resolve(SITE_DIR) === out || SITE_DIR.startsWith(out + "/") || out === "/") {
    throw new Error(`Refusing to build into ${out}: it holds the site's sources`);
  }
  await prepareOut(out);

  // Astro renders in a child process: a second build in one process would reuse the first one's routes.
  // Its stdin stays open while this process lives: it exits when it ends (a killed runner leaves no child).
  const proc = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      fileURLToPath(import.meta.url),
      RENDER_FLAG,
      JSON.stringify({
        results,
        out,
        base: normalizeBase(opts.base),
        profiles: names,
      }),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const child = await proc.output();
  await proc.stdin.close().catch(() => {});
  if (!child.success) {
    const dec = new TextDecoder();
    throw new Error(
      `Astro failed to render the site (exit ${child.code}):\n${dec.decode(child.stderr)}${
        dec.decode(child.stdout)
      }`
        .trimEnd(),
    );
  }
  log(`rendered pages in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  let copied = 0;
  for (const p of profiles) {
    for (const rel of p.files) {
      const dest = join(out, p.name, "files", rel);
      await mkdir(dirname(dest), { recursive: true });
      await copyFile(join(p.dir, rel), dest);
      copied++;
    }
  }
  const pages = await countPages(out);
  const durationMs = performance.now() - t0;
  log(`${pages} pages and ${copied} results files in ${out} (${(durationMs / 1000).toFixed(1)} s)`);
  return { out, pages, durationMs };
}

const RENDER_FLAG = "--render-child";

/**
 * The date the site states: when its newest run finished, so that the same results build the same pages
 * (a published branch changes only where the results did).
 */
export function resultsDate(profiles: readonly { run: { finished: string } }[]): string {
  return profiles.map((p) => p.run.finished).sort().at(-1) ?? new Date(0).toISOString();
}

/** Renders the Astro pages (the child process of {@link buildSite}); the data was validated by the parent. */
async function render(
  spec: { results: string; out: string; base: string; profiles: string[] },
): Promise<void> {
  const profiles = spec.profiles.map((name) => loadProfile(spec.results, name));
  setSiteData({ profiles, builtAt: resultsDate(profiles) });
  process.env.ASTRO_TELEMETRY_DISABLED = "1";
  const { build } = await import("astro");
  await build({
    root: SITE_DIR,
    outDir: spec.out,
    base: spec.base,
    output: "static",
    trailingSlash: "ignore",
    logLevel: "warn",
    devToolbar: { enabled: false },
    build: { format: "directory", inlineStylesheets: "always" },
    vite: { logLevel: "warn", clearScreen: false },
  });
}

/** Parses the CLI's arguments. */
export function parseArgs(args: string[]): BuildOptions {
  const opts: BuildOptions = { results: "results", out: join(SITE_DIR, "dist") };
  const profiles: string[] = [];
  for (const { flag, arg: a, value } of flags(args)) {
    if (flag === "--profile") profiles.push(value());
    else if (flag === "--results") opts.results = value();
    else if (flag === "--out") opts.out = value();
    else if (flag === "--base") opts.base = value();
    else if (flag === "--help" || flag === "-h") {
      console.log("deno task site [--profile P]... [--results DIR] [--out DIR] [--base /path/]");
      Deno.exit(0);
    } else throw new Error(`Unknown argument '${a}' (try --help)`);
  }
  if (profiles.length) opts.profiles = profiles;
  return opts;
}

if (import.meta.main && Deno.args[0] === RENDER_FLAG) {
  // The end of stdin means the process that started this one is gone: stop rendering for nobody.
  (async () => {
    for await (const _ of Deno.stdin.readable) { /* nothing is sent */ }
    Deno.exit(130);
  })();
  try {
    await render(JSON.parse(Deno.args[1]));
    Deno.exit(0);
  } catch (e) {
    console.error(e instanceof Error ? e.stack ?? e.message : String(e));
    Deno.exit(1);
  }
} else if (import.meta.main) {
  try {
    const opts = parseArgs(Deno.args);
    const r = await buildSite({ ...opts, log: (l) => console.log(l) });
    console.log(`site: ${r.out} (serve it with: deno task preview)`);
    // Astro's bundler may leave handles open; the build is done.
    Deno.exit(0);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    Deno.exit(1);
  }
}
