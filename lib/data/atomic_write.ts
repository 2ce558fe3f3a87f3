/**
 * Atomic file writes: a reader never sees a half-written file under its final name.
 * @module
 */
import { dirname } from "node:path";

/** Writes `bytes` to `path` atomically (a temporary file in the same folder, then rename). */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  try {
    if (typeof bytes === "string") await Deno.writeTextFile(tmp, bytes);
    else await Deno.writeFile(tmp, bytes);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
