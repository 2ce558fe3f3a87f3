/**
 * Code digests. A task's code digest covers every local module in the static (and literal dynamic) import graph
 * of the module that declared it, as `deno info --json` reports the graph, each module normalised by
 * {@link normalizeSource} so that comment-only and formatting-only edits do not count. Modules of the engine
 * itself (this directory) are left out: the engine version in every key stands for them, and so are the modules
 * of other tasks (imported only to name them as inputs; their code reaches a dependent through their output
 * digest, which keeps early cutoff working). Shared code belongs in `lib/`. The npm packages the
 * graph reaches, with their transitive dependencies, are listed as `name@version`.
 *
 * `deno info` is run once per CLI call, on the pipeline module, and its result is cached (in
 * `cache/code-graph.json`) against the raw SHA-256 of every file in the graph and of deno.json/deno.lock: when
 * none changed, no subprocess is started at all.
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { canonicalJson, sha256 } from "./hash.ts";
import { normalizeSource } from "./normalize_source.ts";
import { atomicWriteText, readJson } from "./fsutil.ts";

/** One module of the graph. */
interface GraphModule {
  /** Absolute path, for local modules. */
  local?: string;
  mediaType?: string;
  /** Resolved specifiers of the modules it imports (code imports, static or literal dynamic). */
  deps: string[];
  /** `name@version` for npm modules. */
  npm?: string;
}

/** The module graph of a pipeline, reduced to what digests need. */
export interface ModuleGraph {
  modules: Record<string, GraphModule>;
  /** npm package → its npm dependencies (`name@version`). */
  npmPackages: Record<string, string[]>;
}

/** A task's code digest and what it is made of. */
export interface CodeDigest {
  /** SHA-256 over the sorted (path, normalised digest) pairs, the npm packages and the extra files. */
  digest: string;
  /** Project-relative path → SHA-256 of the normalised source. */
  files: Record<string, string>;
  /** Sorted `name@version` of every npm package reached. */
  npm: string[];
}

const ENGINE_DIR = dirname(fileURLToPath(import.meta.url));

/** Runs `deno info --json` on a module and reduces its output. */
export async function denoInfo(moduleUrl: string, cwd: string): Promise<ModuleGraph> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", moduleUrl],
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  if (!out.success) {
    throw new Error(
      `Cannot read the module graph of ${fileURLToPath(moduleUrl)}: deno info failed:\n${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  // deno-lint-ignore no-explicit-any
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as any;
  const redirects: Record<string, string> = info.redirects ?? {};
  const resolve = (s: string) => {
    for (let k = 0; k < 10 && redirects[s]; k++) s = redirects[s];
    return s;
  };
  const modules: Record<string, GraphModule> = {};
  for (const m of info.modules ?? []) {
    if (m.error) throw new Error(`Cannot resolve module ${m.specifier}: ${m.error}`);
    const deps: string[] = [];
    for (const d of m.dependencies ?? []) {
      const spec = d.code?.specifier;
      if (spec) deps.push(resolve(spec));
    }
    modules[m.specifier] = { local: m.local, mediaType: m.mediaType, deps, npm: m.npmPackage };
  }
  const npmPackages: Record<string, string[]> = {};
  for (const [id, pkg] of Object.entries(info.npmPackages ?? {})) {
    npmPackages[id] = (pkg as { dependencies?: string[] }).dependencies ?? [];
  }
  return { modules, npmPackages };
}

interface GraphCache {
  root: string;
  /** Raw SHA-256 of every local file of the graph, and of the config files. */
  raw: Record<string, string>;
  graph: ModuleGraph;
  /** Raw SHA-256 → normalised SHA-256 (content-addressed, so always valid). */
  normalized: Record<string, string>;
}

/**
 * Computes code digests of tasks, sharing one module graph and one normalisation cache.
 */
export class CodeDigester {
  #graph: ModuleGraph;
  #root: string;
  #raw: Map<string, string>;
  #normalized: Record<string, string>;
  #dirty: boolean;
  #cachePath: string | undefined;

  private constructor(
    graph: ModuleGraph,
    root: string,
    raw: Map<string, string>,
    normalized: Record<string, string>,
    dirty: boolean,
    cachePath?: string,
  ) {
    this.#graph = graph;
    this.#root = root;
    this.#raw = raw;
    this.#normalized = normalized;
    this.#dirty = dirty;
    this.#cachePath = cachePath;
  }

  /**
   * Loads the graph of `moduleUrl` (the pipeline), from `cachePath` when no file of the cached graph changed,
   * else from `deno info`.
   */
  static async load(moduleUrl: string, root: string, cachePath?: string): Promise<CodeDigester> {
    const configs = ["deno.json", "deno.jsonc", "deno.lock", "package.json"].map((f) => join(root, f));
    const cached = cachePath ? await readJson<GraphCache>(cachePath) : undefined;
    const raw = new Map<string, string>();
    const rawOf = async (path: string): Promise<string> => {
      let h = raw.get(path);
      if (h === undefined) {
        h = existsSync(path) ? sha256(await Deno.readFile(path)) : "absent";
        raw.set(path, h);
      }
      return h;
    };
    if (cached && cached.root === root && cached.graph.modules[moduleUrl]) {
      let valid = true;
      for (const [path, hash] of Object.entries(cached.raw)) {
        if ((await rawOf(path)) !== hash) {
          valid = false;
          break;
        }
      }
      if (valid) return new CodeDigester(cached.graph, root, raw, cached.normalized, false, cachePath);
    }
    const graph = await denoInfo(moduleUrl, root);
    for (const path of configs) await rawOf(path);
    for (const m of Object.values(graph.modules)) if (m.local) await rawOf(m.local);
    return new CodeDigester(graph, root, raw, cached?.normalized ?? {}, true, cachePath);
  }

  /** Project-relative display path of a local file. */
  relative(path: string): string {
    return relative(this.#root, path).split(sep).join("/");
  }

  async #normalizedDigest(path: string, mediaType: string): Promise<string> {
    const bytes = await Deno.readFile(path);
    const rawHash = sha256(bytes);
    this.#raw.set(path, rawHash);
    const key = `${mediaType}:${rawHash}`;
    let digest = this.#normalized[key];
    if (digest === undefined) {
      digest = sha256(normalizeSource(new TextDecoder().decode(bytes), mediaType));
      this.#normalized[key] = digest;
      this.#dirty = true;
    }
    return digest;
  }

  /**
   * The code digest of the task declared in `moduleUrl`, plus `extraFiles` (project-relative, digested raw).
   * Modules in `boundary` (those declaring other tasks, imported to name them as inputs) are not entered:
   * an upstream task's code reaches a dependent only through that task's output digest.
   */
  async digest(
    moduleUrl: string,
    extraFiles: readonly string[] = [],
    boundary: ReadonlySet<string> = new Set(),
  ): Promise<CodeDigest> {
    const files: Record<string, string> = {};
    const npm = new Set<string>();
    const seen = new Set<string>();
    const stack = [moduleUrl];
    if (!this.#graph.modules[moduleUrl]) {
      throw new Error(`Module ${moduleUrl} is not in the pipeline's import graph`);
    }
    while (stack.length) {
      const spec = stack.pop()!;
      if (seen.has(spec) || (spec !== moduleUrl && boundary.has(spec))) continue;
      seen.add(spec);
      const m = this.#graph.modules[spec];
      if (!m) continue;
      if (m.npm) {
        const pending = [m.npm];
        while (pending.length) {
          const id = pending.pop()!;
          if (npm.has(id)) continue;
          npm.add(id);
          pending.push(...(this.#graph.npmPackages[id] ?? []));
        }
        continue;
      }
      if (m.local && !(m.local.startsWith(ENGINE_DIR + sep))) {
        files[this.relative(m.local)] = await this.#normalizedDigest(m.local, m.mediaType ?? "Unknown");
      }
      stack.push(...m.deps);
    }
    for (const f of extraFiles) {
      const path = join(this.#root, f);
      if (!existsSync(path)) throw new Error(`Cannot digest extra file '${f}': ${path} does not exist`);
      const bytes = await Deno.readFile(path);
      files[f] = sha256(bytes);
      this.#raw.set(path, files[f]);
    }
    const npmList = [...npm].sort();
    return { digest: sha256(canonicalJson({ files, npm: npmList })), files, npm: npmList };
  }

  /** Writes the graph cache if anything new was learned. */
  async save(): Promise<void> {
    if (!this.#dirty || !this.#cachePath) return;
    const raw: Record<string, string> = {};
    for (const [path, hash] of this.#raw) raw[path] = hash;
    const cache: GraphCache = { root: this.#root, raw, graph: this.#graph, normalized: this.#normalized };
    await atomicWriteText(this.#cachePath, JSON.stringify(cache));
    this.#dirty = false;
  }
}
