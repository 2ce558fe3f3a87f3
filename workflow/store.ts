/**
 * The content-addressed artifact store.
 *
 * ```
 * cache/
 *   objects/<key>/            one finished task output: its files, plus manifest.json (reserved name)
 *   tmp/<unique>/out/         work in progress; renamed to objects/<key>/ only on success
 *   checkpoints/<key>/        survives an interrupted attempt; removed when the object is committed
 *   corrupt/<key>-<time>/     objects that failed verification, kept for inspection until `gc`
 *   logs/<task>-<key>.log     logs of failed attempts
 *   runs/<profile>.json       what the latest run of each profile used (for `status` reasons and `gc`)
 *   lock                      held (flock) by the run writing the store
 * ```
 * A task killed at any point leaves at most a directory under `tmp/`, which the next run removes.
 * @module
 */
import { faultPoint } from "./faults.ts";
import { join } from "node:path";
import { canonicalJson, sha256, sha256File } from "./hash.ts";
import { atomicWriteText, exists, listFiles, readJson, removeTree, replaceDir } from "./fsutil.ts";

/** Digest and stat of one output file. */
export interface FileEntry {
  sha256: string;
  size: number;
  /** Modification time when committed; a file whose size and mtime still match is trusted without rehashing. */
  mtimeMs: number;
}

/** The components a key is the hash of. */
export interface KeyComponents {
  engine: number;
  task: string;
  version: number;
  params: Record<string, unknown>;
  /** Digest of the normalised code of the task's local module graph. */
  code: string;
  /** npm packages (`name@version`) the task's module graph uses. */
  npm: string[];
  /** Input name → `{ task, digest }` (output digest of that task's object). */
  inputs: Record<string, { task: string; digest: string }>;
  /** Fingerprint of external data, for tasks that declare one. */
  fingerprint?: string;
  /**
   * For one shard of a sharded task: its id and fingerprint (`inputs` then hold the digests of the files it
   * reads, not of the whole inputs).
   */
  shard?: { id: string; fingerprint?: string };
}

/** Everything recorded about one object. */
export interface Manifest {
  key: string;
  task: string;
  components: KeyComponents;
  /** Project-relative module path → normalised digest (what `code` is the hash of). */
  codeFiles: Record<string, string>;
  /** Keys of the input objects used. */
  inputKeys: Record<string, string>;
  files: Record<string, FileEntry>;
  outputDigest: string;
  started: string;
  finished: string;
  durationMs: number;
  /** Peak resident memory of the task's process, bytes (null: inline, or an older manifest). */
  peakRssBytes?: number | null;
  host: { hostname: string; os: string; arch: string; cpus: number };
  versions: { deno: string; v8: string; typescript: string };
  /** Scheduling settings of the run that made it (not part of the key). */
  settings: Record<string, unknown>;
  /** Facts the task recorded about this attempt (timing, the device): not outputs, not in any digest. */
  facts?: Record<string, unknown>;
  log: string[];
}

/** The result of checking an object. */
export type Verdict = { ok: true; manifest: Manifest } | { ok: false; missing: boolean; reason: string };

/** The key of a set of components. */
export function keyOf(components: KeyComponents): string {
  return sha256(canonicalJson(components));
}

/** The output digest: hash of the sorted (relative path, sha256) pairs. */
export function outputDigestOf(files: Record<string, { sha256: string }>): string {
  return sha256(canonicalJson(Object.keys(files).sort().map((f) => [f, files[f].sha256])));
}

/** The reserved file name of a manifest inside an object directory. */
export const MANIFEST = "manifest.json";

/** An artifact store rooted at a cache directory. */
export class Store {
  /** The cache directory. */
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Directory of an object. */
  objectDir(key: string): string {
    return join(this.dir, "objects", key);
  }

  /** Checkpoint directory for attempts at `key`. */
  checkpointDir(key: string): string {
    return join(this.dir, "checkpoints", key);
  }

  /** Path of the record of a profile's latest run. */
  runRecordPath(profile: string): string {
    return join(this.dir, "runs", `${profile}.json`);
  }

  /** The manifest of an object, if the object exists and its manifest parses. */
  readManifest(key: string): Promise<Manifest | undefined> {
    return readJson<Manifest>(join(this.objectDir(key), MANIFEST));
  }

  /**
   * Checks an object. `quick` trusts files whose size and mtime match the manifest and rehashes only the
   * others; a full check rehashes every file and rejects files the manifest does not list.
   */
  async verify(key: string, mode: "quick" | "full"): Promise<Verdict> {
    const dir = this.objectDir(key);
    if (!(await exists(dir))) return { ok: false, missing: true, reason: "missing: not in the cache" };
    const manifest = await this.readManifest(key);
    if (!manifest || manifest.key !== key || !manifest.files) {
      return { ok: false, missing: false, reason: `corrupt: ${MANIFEST} is missing or unreadable` };
    }
    for (const [rel, entry] of Object.entries(manifest.files)) {
      const path = join(dir, rel);
      let stat: Deno.FileInfo;
      try {
        stat = await Deno.stat(path);
      } catch {
        return { ok: false, missing: false, reason: `corrupt: file ${rel} is missing` };
      }
      if (stat.size !== entry.size) {
        return {
          ok: false,
          missing: false,
          reason: `corrupt: file ${rel} has ${stat.size} bytes, expected ${entry.size}`,
        };
      }
      if (mode === "quick" && stat.mtime?.getTime() === entry.mtimeMs) continue;
      if ((await sha256File(path)) !== entry.sha256) {
        return { ok: false, missing: false, reason: `corrupt: file ${rel} does not match its digest` };
      }
    }
    if (mode === "full") {
      const files = (await listFiles(dir)).filter((f) => f !== MANIFEST);
      const extra = files.filter((f) => !(f in manifest.files));
      if (extra.length) return { ok: false, missing: false, reason: `corrupt: unexpected file ${extra[0]}` };
    }
    if (outputDigestOf(manifest.files) !== manifest.outputDigest) {
      return { ok: false, missing: false, reason: "corrupt: output digest does not match its files" };
    }
    return { ok: true, manifest };
  }

  /** Creates a fresh work directory `tmp/<unique>/` with an empty `out/`. */
  async newWorkDir(task: string): Promise<string> {
    const work = join(
      this.dir,
      "tmp",
      `${task}-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`,
    );
    await Deno.mkdir(join(work, "out"), { recursive: true });
    return work;
  }

  /**
   * Digests the files of a finished `out/` directory, writes its manifest and renames it into
   * `objects/<key>/`, replacing an existing object of the same key (a forced rerun). Returns the manifest.
   */
  async commit(
    key: string,
    outDir: string,
    meta: Omit<Manifest, "key" | "files" | "outputDigest">,
  ): Promise<Manifest> {
    const rels = await listFiles(outDir);
    if (rels.includes(MANIFEST)) {
      throw new Error(
        `Task '${meta.task}' wrote ${MANIFEST} at the top of its output: that name is reserved`,
      );
    }
    const files: Record<string, FileEntry> = {};
    for (const rel of rels) {
      const path = join(outDir, rel);
      await Deno.chmod(path, 0o444);
      const stat = await Deno.stat(path);
      files[rel] = { sha256: await sha256File(path), size: stat.size, mtimeMs: stat.mtime?.getTime() ?? 0 };
    }
    const manifest: Manifest = { key, ...meta, files, outputDigest: outputDigestOf(files) };
    await Deno.writeTextFile(join(outDir, MANIFEST), JSON.stringify(manifest, null, 2) + "\n");
    faultPoint("commit");
    const target = this.objectDir(key);
    await Deno.mkdir(join(this.dir, "objects"), { recursive: true });
    await replaceDir(outDir, target);
    await removeTree(this.checkpointDir(key));
    return manifest;
  }

  /** Moves a bad object out of the way (to `corrupt/`), so it is recomputed. */
  async quarantine(key: string): Promise<string> {
    const to = join(this.dir, "corrupt", `${key}-${Date.now()}`);
    await Deno.mkdir(join(this.dir, "corrupt"), { recursive: true });
    await Deno.rename(this.objectDir(key), to);
    return to;
  }

  /** Keys of every object in the store. */
  async keys(): Promise<string[]> {
    const out: string[] = [];
    const dir = join(this.dir, "objects");
    if (!(await exists(dir))) return out;
    for await (const e of Deno.readDir(dir)) if (e.isDirectory) out.push(e.name);
    return out.sort();
  }

  /** Removes leftovers of interrupted runs under `tmp/` (call only while holding the lock). */
  async cleanTmp(): Promise<void> {
    await removeTree(join(this.dir, "tmp"));
  }

  /** Writes a JSON document atomically under the cache directory. */
  writeJson(path: string, value: unknown): Promise<void> {
    return atomicWriteText(path, JSON.stringify(value, null, 2) + "\n");
  }
}
