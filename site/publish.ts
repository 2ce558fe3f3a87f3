/**
 * Publishes the results site: `deno task publish`, to a folder, to a branch of a git repository, or as an
 * archive, after making sure the site shows the current results.
 *
 * ```sh
 * deno task publish --to DIR                        # a copy, replaced atomically
 * deno task publish --to git:REPO[#BRANCH]          # the whole tree of BRANCH (default gh-pages), pushed
 * deno task publish --archive FILE.tar.gz
 *   [--base /path/] [--results DIR]                 # --base: a host serving under a sub-path
 * ```
 *
 * - **Never stale.** The site (`site/dist/` for the project's `results/`, as the after-DAG step builds it) is
 *   checked against the results by the digest the step keeps beside it (tasks/site.ts); a site older than its
 *   results, or built for another base path, is rebuilt first, and a rebuild that fails stops the publish
 *   with its reason.
 * - **Git.** The built site becomes the whole tree of the branch: one commit on top of the branch's last
 *   (a new orphan branch the first time), with only the files that changed, and none when nothing did. The
 *   message names the profiles and the commit of the project they came from. The work happens in a
 *   temporary clone, so the project's own working tree and branch are never touched; REPO may be a path (a
 *   bare or a normal repository, whose checked-out branch is refused) or a remote URL.
 * - Every published tree holds a `.nojekyll` (GitHub Pages serves folders starting with `_` then).
 *
 * @module
 */
import { cp } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { listProfiles } from "./lib/load.ts";
import { normalizeBase } from "./build.ts";
import { flags } from "./lib/args.ts";
import { ensureSite, STAMP } from "../tasks/site.ts";

/** The project's root (above site/). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** What {@link publish} does. */
export interface PublishOptions {
  /** `DIR` or `git:REPO[#BRANCH]`. */
  to?: string;
  /** A `.tar.gz` to write. */
  archive?: string;
  /** The base path the host serves the site at (default "/"). */
  base?: string;
  /** The results folder (default `results/` of the project). */
  results?: string;
  /** The project's root (default: this checkout). */
  root?: string;
  log?: (line: string) => void;
}

/** What {@link publish} did. */
export interface PublishResult {
  /** The site folder that was published. */
  site: string;
  /** Whether it was rebuilt first. */
  rebuilt: boolean;
  profiles: string[];
  /** The project commit named in the message (`<sha>` or `<sha>+dirty`), or null outside git. */
  source: string | null;
  /** For git: the commit made (null when nothing changed) and the files it changed. */
  git?: { repo: string; branch: string; commit: string | null; changed: string[] };
  dir?: string;
  archive?: string;
}

/** A failed command, with what it said. */
async function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim() || text.trim();
    throw new Error(`${cmd} ${args.join(" ")} failed: ${err.split("\n").slice(-3).join(" ")}`);
  }
  return text;
}

const git = (args: string[], cwd?: string) => run("git", args, cwd);

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** The project commit the results came from, `+dirty` when the working tree has changes; null outside git. */
async function sourceCommit(root: string): Promise<string | null> {
  try {
    const sha = (await git(["rev-parse", "--short=12", "HEAD"], root)).trim();
    const dirty = (await git(["status", "--porcelain", "--untracked-files=no"], root)).trim() !== "";
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return null;
  }
}

/**
 * Makes sure the site of `results` shows them, for `base` (tasks/site.ts's `ensureSite`); a rebuild that fails
 * stops the publish with its reason.
 */
async function currentSite(
  root: string,
  results: string,
  base: string,
  log: (line: string) => void,
): Promise<{ out: string; rebuilt: boolean }> {
  try {
    const r = await ensureSite(root, results, base, log);
    if (r.rebuilt) {
      log(
        r.stale
          ? `${r.out} was older than ${results} (or built for another base path): rebuilt it`
          : `${r.out} held no built site: built it`,
      );
    }
    return r;
  } catch (e) {
    throw new Error(
      `Cannot publish: the site of ${results} does not show its current results, and rebuilding it failed: ${
        (e as Error).message
      }`,
    );
  }
}

/** Copies the built site (without its build stamp) into `dest`, with a `.nojekyll`. */
async function copySite(site: string, dest: string): Promise<void> {
  await Deno.mkdir(dest, { recursive: true });
  for await (const e of Deno.readDir(site)) {
    if (e.name === STAMP) continue;
    await cp(join(site, e.name), join(dest, e.name), { recursive: true });
  }
  await Deno.writeTextFile(join(dest, ".nojekyll"), "");
}

/** `--to DIR`: the site copied next to DIR, then renamed into place (the old copy removed after). */
async function publishToDir(site: string, dir: string): Promise<void> {
  const target = resolve(dir);
  if (await exists(target)) {
    const entries = [...Deno.readDirSync(target)].map((e) => e.name);
    if (entries.length && !entries.includes("index.html")) {
      throw new Error(`Refusing to replace ${target}: it is not empty and does not hold a published site`);
    }
  }
  await Deno.mkdir(dirname(target), { recursive: true });
  const tmp = await Deno.makeTempDir({ dir: dirname(target), prefix: `.${basename(target)}.new-` });
  try {
    await copySite(site, tmp);
    const old = `${dirname(target)}/.${basename(target)}.old-${Date.now()}`;
    const had = await exists(target);
    if (had) await Deno.rename(target, old);
    await Deno.rename(tmp, target);
    if (had) await Deno.remove(old, { recursive: true });
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
}

/** `--archive FILE.tar.gz`: written beside FILE, then renamed into place. */
async function publishArchive(site: string, file: string): Promise<void> {
  const target = resolve(file);
  if (!/\.(tar\.gz|tgz)$/.test(target)) {
    throw new Error(`--archive ${file}: expected a .tar.gz or .tgz file name`);
  }
  const stage = await Deno.makeTempDir({ prefix: "morphogan-publish-" });
  const tmp = `${dirname(target)}/.${basename(target)}.tmp-${Date.now()}`;
  try {
    await copySite(site, stage);
    await Deno.mkdir(dirname(target), { recursive: true });
    await run("tar", ["-czf", tmp, "-C", stage, "."]);
    await Deno.rename(tmp, target);
  } finally {
    await Deno.remove(stage, { recursive: true }).catch(() => {});
    await Deno.remove(tmp).catch(() => {});
  }
}

/** Splits `git:REPO[#BRANCH]`. */
export function parseGitTarget(to: string): { repo: string; branch: string } {
  const spec = to.slice("git:".length);
  const hash = spec.lastIndexOf("#");
  const repo = hash < 0 ? spec : spec.slice(0, hash);
  const branch = hash < 0 ? "gh-pages" : spec.slice(hash + 1);
  if (!repo) throw new Error(`--to ${to}: expected git:REPO[#BRANCH] with a repository path or URL`);
  if (!/^[A-Za-z0-9._\/-]+$/.test(branch) || branch.startsWith("-")) {
    throw new Error(`--to ${to}: '${branch}' is not a branch name`);
  }
  return { repo, branch };
}

/** Whether `repo` names a local path (not a URL or an scp-like remote). */
function isLocal(repo: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) && !/^[^/]+@[^/]+:/.test(repo);
}

/** `--to git:REPO#BRANCH`: the site as the whole tree of BRANCH, one commit on top, pushed. */
async function publishToGit(
  site: string,
  target: { repo: string; branch: string },
  message: string,
  log: (line: string) => void,
): Promise<{ commit: string | null; changed: string[] }> {
  const { branch } = target;
  const repo = isLocal(target.repo) ? resolve(target.repo) : target.repo;
  // A missing or unreadable repository: one error.
  let heads: string;
  try {
    heads = await git(["ls-remote", "--heads", repo]);
  } catch (e) {
    throw new Error(
      `Cannot publish to git:${target.repo}: not a git repository we can read (${(e as Error).message})`,
    );
  }
  if (isLocal(target.repo) && (await git(["rev-parse", "--is-bare-repository"], repo)).trim() === "false") {
    const checkedOut = (await git(["symbolic-ref", "--quiet", "--short", "HEAD"], repo).catch(() => ""))
      .trim();
    if (checkedOut === branch) {
      throw new Error(
        `Cannot publish to git:${target.repo}#${branch}: that branch is checked out there; publish to another branch (gh-pages) or to a bare repository`,
      );
    }
    if ((await git(["status", "--porcelain"], repo)).trim() !== "") {
      throw new Error(
        `Cannot publish to git:${target.repo}: its working tree has uncommitted changes; commit or stash them first`,
      );
    }
  }
  const exists = heads.split("\n").some((l) => l.endsWith(`\trefs/heads/${branch}`));
  const work = await Deno.makeTempDir({ prefix: "morphogan-publish-git-" });
  try {
    await git(["init", "--quiet", work]);
    await git(["remote", "add", "origin", repo], work);
    if (exists) {
      await git(["fetch", "--quiet", "--depth", "1", "origin", branch], work);
      await git(["checkout", "--quiet", "-B", branch, "FETCH_HEAD"], work);
      // The branch's tree is replaced by the site's: remove every tracked file first.
      await git(["rm", "-r", "--quiet", "--ignore-unmatch", "."], work);
    } else {
      await git(["checkout", "--quiet", "--orphan", branch], work);
    }
    await copySite(site, work);
    await git(["add", "--all", "."], work);
    const changed = (await git(["diff", "--cached", "--name-only"], work)).split("\n").filter(Boolean);
    if (exists && changed.length === 0) {
      log(`git:${target.repo}#${branch} already holds this site: nothing to commit`);
      return { commit: null, changed };
    }
    const ident = async (key: string, fallback: string) =>
      (await git(["config", key], work).catch(() => "")).trim() ? [] : ["-c", `${key}=${fallback}`];
    await git([
      ...await ident("user.name", "morphogan publish"),
      ...await ident("user.email", "morphogan@localhost"),
      "commit",
      "--quiet",
      "--no-verify",
      "-m",
      message,
    ], work);
    await git(["push", "--quiet", "origin", `HEAD:refs/heads/${branch}`], work);
    const commit = (await git(["rev-parse", "HEAD"], work)).trim();
    log(`git:${target.repo}#${branch}: commit ${commit.slice(0, 12)}, ${changed.length} files changed`);
    return { commit, changed };
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/** Publishes the site of the results (see the module). */
export async function publish(opts: PublishOptions): Promise<PublishResult> {
  const log = opts.log ?? (() => {});
  if (!opts.to && !opts.archive) {
    throw new Error("Nothing to publish to: give --to DIR, --to git:REPO[#BRANCH] or --archive FILE.tar.gz");
  }
  const root = resolve(opts.root ?? ROOT);
  const results = resolve(opts.results ?? join(root, "results"));
  const base = normalizeBase(opts.base);
  const profiles = listProfiles(results);
  if (profiles.length === 0) {
    throw new Error(`Nothing to publish: ${results} holds no profile (run deno task reproduce first)`);
  }
  const gitTarget = opts.to?.startsWith("git:") ? parseGitTarget(opts.to) : null;
  const { out: site, rebuilt } = await currentSite(root, results, base, log);
  const source = await sourceCommit(root);
  const result: PublishResult = { site, rebuilt, profiles, source };
  if (gitTarget) {
    const message = `Publish the morphogan results site: ${profiles.join(", ")}\n\n` +
      `Profiles ${profiles.join(", ")} from morphogan ${source ?? "(not a git checkout)"}` +
      `${base === "/" ? "" : `, for the base path ${base}`}.`;
    result.git = { ...gitTarget, ...await publishToGit(site, gitTarget, message, log) };
  } else if (opts.to) {
    await publishToDir(site, opts.to);
    result.dir = resolve(opts.to);
    log(`copied to ${relative(Deno.cwd(), result.dir) || "."}`);
  }
  if (opts.archive) {
    await publishArchive(site, opts.archive);
    result.archive = resolve(opts.archive);
    log(`archive ${relative(Deno.cwd(), result.archive)}`);
  }
  return result;
}

/** Parses the CLI's arguments. */
export function parseArgs(args: string[]): PublishOptions {
  const o: PublishOptions = {};
  for (const { flag, arg: a, value } of flags(args)) {
    if (flag === "--to") o.to = value();
    else if (flag === "--archive") o.archive = value();
    else if (flag === "--base") o.base = value();
    else if (flag === "--results") o.results = value();
    else if (flag === "--help" || flag === "-h") {
      console.log(
        "deno task publish (--to DIR | --to git:REPO[#BRANCH]) [--archive FILE.tar.gz] [--base /path/] [--results DIR]",
      );
      Deno.exit(0);
    } else throw new Error(`Unknown argument '${a}' (try --help)`);
  }
  return o;
}

if (import.meta.main) {
  try {
    const r = await publish({ ...parseArgs(Deno.args), log: (l) => console.log(l) });
    console.log(
      `published ${r.profiles.join(", ")} (morphogan ${r.source ?? "?"})` +
        (r.git
          ? ` → git:${r.git.repo}#${r.git.branch}${
            r.git.commit ? ` ${r.git.commit.slice(0, 12)}` : " (unchanged)"
          }`
          : "") +
        (r.dir ? ` → ${r.dir}` : "") + (r.archive ? ` → ${r.archive}` : ""),
    );
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
