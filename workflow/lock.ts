/**
 * The store lock: an exclusive `flock` on `cache/lock`, held for the whole of a run that writes the store. The
 * kernel releases it when the holder dies, even by SIGKILL, so a crash never leaves the cache locked.
 * @module
 */
import { join } from "node:path";
import { readJson } from "./fsutil.ts";

/** Who holds the lock, written beside it for the message a waiting run prints. */
interface Holder {
  pid: number;
  what: string;
  since: string;
}

/** A held lock. */
export interface StoreLock {
  release(): void;
}

/**
 * Takes the store lock. If another run holds it: with `wait`, calls `onWait` with a message naming the holder
 * and blocks until it is free; without, throws that message.
 */
export async function acquireLock(
  cacheDir: string,
  what: string,
  opts: { wait: boolean; onWait?: (message: string) => void },
): Promise<StoreLock> {
  await Deno.mkdir(cacheDir, { recursive: true });
  const path = join(cacheDir, "lock");
  const infoPath = join(cacheDir, "lock.holder.json");
  const file = await Deno.open(path, { read: true, write: true, create: true });
  const locking = file.lock(true).then(() => true);
  locking.catch(() => {}); // awaited below when waiting; ignored when giving up
  const quick = await Promise.race([locking, new Promise<false>((r) => setTimeout(() => r(false), 150))]);
  if (!quick) {
    const holder = await readJson<Holder>(infoPath);
    const who = holder ? `pid ${holder.pid} (${holder.what}, since ${holder.since})` : "another process";
    const message = `The cache ${cacheDir} is locked by ${who}`;
    if (!opts.wait) {
      file.close();
      throw new Error(`${message}; not waiting (--no-wait)`);
    }
    opts.onWait?.(`${message}; waiting for it to finish…`);
    await locking;
  }
  const holder: Holder = { pid: Deno.pid, what, since: new Date().toISOString() };
  await Deno.writeTextFile(infoPath, JSON.stringify(holder) + "\n");
  return {
    release() {
      try {
        file.unlockSync();
      } finally {
        file.close();
      }
    },
  };
}
