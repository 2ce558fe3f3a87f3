/**
 * Tests of the wasm backend on several threads ({@link ./threads.ts}): the threaded build and our thread
 * pool give bit for bit the single-threaded results, and a process using them exits on its own. Each thread
 * count runs in its own process (a process loads one build of the backend for good).
 *
 * @module
 */
import assert from "node:assert/strict";
import os from "node:os";

async function runChild(threads: number): Promise<{ detail: string; digests: Record<string, string> }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../testdata/threads_child.ts", import.meta.url).pathname, String(threads)],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `the child with ${threads} threads failed (${out.code}):\n${stderr}`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
}

Deno.test("wasm on 1, 2 and 3 threads: the same losses and weights for every loss, bit for bit; the process exits by itself", async () => {
  // The worker scripts' folder of a process that is gone (as after SIGKILL) is removed by the next one.
  let dead = 4_000_000;
  while (await Deno.stat(`/proc/${dead}`).then(() => true, () => false)) dead++;
  const stale = `${os.tmpdir()}/morphogan-wasm-threads-${dead}-test`;
  await Deno.mkdir(stale, { recursive: true });
  const one = await runChild(1), two = await runChild(2), three = await runChild(3);
  if (Deno.build.os === "linux") {
    assert.equal(await Deno.stat(stale).then(() => true, () => false), false, `${stale} was left`);
  } else await Deno.remove(stale, { recursive: true });
  assert.match(one.detail, /\b1 thread\b/);
  assert.match(two.detail, /\b2 threads \(threaded build\)/);
  assert.match(three.detail, /\b3 threads \(threaded build\)/);
  assert.equal(Object.keys(one.digests).length, 6);
  assert.deepEqual(two.digests, one.digests);
  assert.deepEqual(three.digests, one.digests);
});
