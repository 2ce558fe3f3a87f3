/**
 * Garbage collection: removes every object not used by the latest run of any profile (as recorded in
 * `cache/runs/*.json`), the quarantined objects, leftovers of interrupted attempts and logs of failures, and
 * says how much it freed. Checkpoints are kept unless asked, as they let an interrupted training resume.
 * @module
 */
import { join } from "node:path";
import { exists, readJson, removeTree, treeSize } from "./fsutil.ts";
import { acquireLock } from "./lock.ts";
import type { RunRecord } from "./plan.ts";
import { Store } from "./store.ts";

/** What gc removed (or would remove with `dryRun`). */
export interface GcResult {
  removedObjects: string[];
  keptObjects: number;
  freedBytes: number;
}

/** Collects garbage in a cache directory. */
export async function collectGarbage(
  cacheDir: string,
  opts: { dryRun?: boolean; checkpoints?: boolean; wait?: boolean; onWait?: (m: string) => void } = {},
): Promise<GcResult> {
  const store = new Store(cacheDir);
  const lock = opts.dryRun
    ? undefined
    : await acquireLock(cacheDir, "gc", { wait: opts.wait ?? true, onWait: opts.onWait });
  try {
    const keep = new Set<string>();
    const runsDir = join(cacheDir, "runs");
    if (await exists(runsDir)) {
      for await (const e of Deno.readDir(runsDir)) {
        if (!e.name.endsWith(".json")) continue;
        const record = await readJson<RunRecord>(join(runsDir, e.name));
        if (!record) throw new Error(`Cannot read run record ${join(runsDir, e.name)}: not valid JSON`);
        for (const t of Object.values(record.tasks)) {
          keep.add(t.key);
          for (const k of Object.values(t.shards ?? {})) keep.add(k);
        }
      }
    }
    let freed = 0;
    const removed: string[] = [];
    const remove = async (path: string) => {
      freed += await treeSize(path);
      if (!opts.dryRun) await removeTree(path);
    };
    const keys = await store.keys();
    for (const key of keys) {
      if (keep.has(key)) continue;
      removed.push(key);
      await remove(store.objectDir(key));
    }
    for (const dir of ["tmp", "corrupt", "logs", ...(opts.checkpoints ? ["checkpoints"] : [])]) {
      await remove(join(cacheDir, dir));
    }
    return { removedObjects: removed, keptObjects: keys.length - removed.length, freedBytes: freed };
  } finally {
    lock?.release();
  }
}
