/**
 * The fault campaign (tools/fault_campaign.ts) on the tiny profile: 20 kills at random moments and at the
 * engine's fault points (the runner, a task process, a training checkpoint, a commit, the rename of an object
 * or of the results folder, the site build), a rerun after each; the outputs must equal an uninterrupted
 * run's byte for byte, cache/tmp must be empty and no process may outlive its runner. Also: a full disk
 * during a write fails the task with one clear error and leaves no object (on a 1 MiB tmpfs, where this
 * process may mount one).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCampaign } from "../tools/fault_campaign.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** Every training checkpoints every 5 steps, so that kills find checkpoints being written. */
export const CAMPAIGN_ARGS = ["train_dcgan", "train_wgan", "train_lsgan", "train_vae", "train_bigan"].flatMap(
  (t) => [
    "--param",
    `${t}.checkpointEvery=5`,
  ],
);

Deno.test({
  name: "faults: 20 kills of the tiny profile at random moments, and the outputs are an uninterrupted run's",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "morphogan-faults-" });
    try {
      const r = await runCampaign({
        root: ROOT,
        dir,
        kills: 20,
        seed: 19,
        args: CAMPAIGN_ARGS,
        log: (l) => console.log(l),
      });
      assert.deepEqual(r.mismatches, []);
      assert.equal(r.kills.length, 20);
      assert.ok(r.compared.objects >= 20 && r.compared.files > 100, JSON.stringify(r.compared));
      assert.deepEqual(r.tmpLeft, []);
      assert.equal(r.orphans, 0);
      console.log(
        `${r.kills.length} kills (${
          [...new Set(r.kills.map((k) => k.kind))].join(", ")
        }) in ${r.runs} runs; ` +
          `${r.compared.files} object files and ${r.compared.resultFiles} results files (${r.compared.bytes} bytes) identical`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Mounts a tmpfs of `size` at `dir`; false (and why) where this process may not. */
async function mountTmpfs(dir: string, size: string): Promise<string | null> {
  const out = await new Deno.Command("mount", { args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir] })
    .output().catch((e) => ({ success: false, stderr: new TextEncoder().encode((e as Error).message) }));
  return out.success ? null : new TextDecoder().decode(out.stderr).trim() || "mount failed";
}

Deno.test({
  name: "faults: a full disk during a write fails the task with one clear error and leaves no object",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "morphogan-disk-full-" });
    const cache = join(dir, "cache");
    await Deno.mkdir(cache);
    const why = await mountTmpfs(cache, "4m");
    if (why) {
      console.warn(`faults: the full-disk case is skipped: cannot mount a small tmpfs here (${why})`);
      await t.step({ name: "full disk (skipped: no tmpfs)", ignore: true, fn() {} });
      await Deno.remove(dir, { recursive: true });
      return;
    }
    try {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--quiet",
          join(ROOT, "tasks/pipeline.ts"),
          "reproduce",
          "--profile",
          "tiny",
          "--only",
          "synthesize",
          "--cache",
          cache,
          "--results",
          join(dir, "results"),
        ],
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
        env: { CI: "1", NO_COLOR: "1" },
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 1, stderr);
      // One error naming the task, the disk and how to go on; the log kept.
      assert.match(stderr, /Task 'synthesize' failed: .*no space left on the device of .*cache/i);
      const objects = await Array.fromAsync(Deno.readDir(join(cache, "objects"))).catch(() => []);
      assert.deepEqual(objects, [], "no object was committed");
      const tmp = await Array.fromAsync(Deno.readDir(join(cache, "tmp"))).catch(() => []);
      assert.deepEqual(tmp, [], "the attempt's work folder was removed");
    } finally {
      await new Deno.Command("umount", { args: [cache] }).output();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
