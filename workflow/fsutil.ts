/**
 * Small file-system helpers: atomic writes, JSON reads that tolerate absence, tree walks and sizes.
 * @module
 */
import { faultPoint } from "./faults.ts";
import { dirname, join, relative, sep } from "node:path";

/** Writes text to `path` through a temporary sibling and a rename, so readers never see a partial file. */
export async function atomicWriteText(path: string, text: string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, path);
}

/** Reads and parses a JSON file; `undefined` when it does not exist or does not parse. */
export async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as T;
  } catch {
    return undefined;
  }
}

/** Whether a path exists (without following a dangling symlink into an error). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Every regular file under `dir`, as sorted `/`-separated relative paths. Symlinks are rejected. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for await (const entry of Deno.readDir(d)) {
      const path = join(d, entry.name);
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile) out.push(relative(dir, path).split(sep).join("/"));
      else {throw new Error(
          `Unsupported entry '${path}': task outputs may hold only regular files and folders`,
        );}
    }
  };
  await walk(dir);
  return out.sort();
}

/** Total size in bytes of the regular files under `dir` (0 when absent). */
export async function treeSize(dir: string): Promise<number> {
  let total = 0;
  const walk = async (d: string) => {
    for await (const entry of Deno.readDir(d)) {
      const path = join(d, entry.name);
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile) total += (await Deno.stat(path)).size;
    }
  };
  if (await exists(dir)) await walk(dir);
  return total;
}

/** Removes a tree, making read-only folders writable first; absent trees are fine. */
export async function removeTree(path: string): Promise<void> {
  if (!(await exists(path))) return;
  try {
    await Deno.remove(path, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.PermissionDenied)) throw e;
    const makeWritable = async (d: string) => {
      await Deno.chmod(d, 0o755);
      for await (const entry of Deno.readDir(d)) {
        if (entry.isDirectory) await makeWritable(join(d, entry.name));
      }
    };
    await makeWritable(path);
    await Deno.remove(path, { recursive: true });
  }
}

/**
 * Renames the finished directory `from` to `target`, replacing any directory already there: the old one is
 * renamed aside first and removed after, so `target` is never a mix of the two.
 */
export async function replaceDir(from: string, target: string): Promise<void> {
  if (await exists(target)) {
    const old = `${from}.replaced`;
    await Deno.rename(target, old);
    faultPoint("replace");
    await Deno.rename(from, target);
    await removeTree(old);
  } else {
    await Deno.rename(from, target);
  }
}

/** Copies a tree of regular files, but those whose path relative to `from` `skip` names. */
export async function copyTree(
  from: string,
  to: string,
  skip: (rel: string) => boolean = () => false,
  base = from,
): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (skip(relative(base, src))) continue;
    if (entry.isDirectory) await copyTree(src, dst, skip, base);
    else if (entry.isFile) await Deno.copyFile(src, dst);
  }
}

/** Human-readable byte count: `1.5 MiB`. */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(n)} B` : `${n.toFixed(1)} ${units[u]}`;
}

/** Human-readable duration: `850 ms`, `12.3 s`, `4m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s - m * 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
