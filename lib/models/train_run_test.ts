import assert from "node:assert/strict";
import { join } from "node:path";
import { trainRun } from "./train_run.ts";
import { randn, useBackend } from "./test_util.ts";

const SIZE = 16;
const crops = randn(24 * SIZE * SIZE * 3, 5, 0.5).map((v) => Math.tanh(v));

async function files(dir: string, base = dir): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) { for (const [k, v] of await files(p, base)) out.set(k, v); }
    else out.set(p.slice(base.length + 1), await Deno.readFile(p));
  }
  return out;
}

Deno.test("trainRun: a run stopped and resumed writes the same files, byte for byte, as one that never stopped", async () => {
  await useBackend("wasm");
  const tmp = await Deno.makeTempDir();
  try {
    const options = {
      loss: "lsgan" as const,
      size: SIZE,
      width: 1 / 16,
      batchSize: 8,
      steps: 20,
      seed: 2,
      checkpointEvery: 5,
      sampleEvery: 5,
      sampleCount: 4,
    };
    const info = { backend: { name: "wasm" }, cells: 24, normalization: "crop-max" };
    await trainRun(crops, { ...options, checkpointDir: join(tmp, "ck-whole") }, join(tmp, "whole"), info);
    // Stopped at step 12 (after the grids of steps 5 and 10; stopping saves a checkpoint), then resumed in a
    // new output folder, as a task's next attempt is: the grids of steps 5 and 10 must not be lost.
    const controller = new AbortController();
    await assert.rejects(() =>
      trainRun(
        crops,
        { ...options, checkpointDir: join(tmp, "ck"), signal: controller.signal },
        join(tmp, "first"),
        info,
        { onStep: (step) => step === 12 && controller.abort(new Error("stop")) },
      )
    );
    const facts = await trainRun(
      crops,
      { ...options, checkpointDir: join(tmp, "ck") },
      join(tmp, "resumed"),
      info,
    );
    assert.equal(facts.resumedFrom, 12);
    const [a, b] = [await files(join(tmp, "whole")), await files(join(tmp, "resumed"))];
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
    assert.ok(a.has("samples/step_000005.png") && a.has("train.json") && a.has("curves.json"));
    for (const [k, v] of a) assert.deepEqual(b.get(k), v, `${k} differs`);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
