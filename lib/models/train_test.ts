import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { dihedral, train, TrainingDivergedError, type TrainOptions } from "./train.ts";
import { readCheckpoint } from "./checkpoint.ts";
import { haveRealCrops, NO_REAL_CROPS, randn, readRealCrops, useBackend } from "./test_util.ts";
import { Gan, MODEL_LOSSES } from "./gan.ts";

const SIZE = 16;
const crops = randn(24 * SIZE * SIZE * 3, 11, 0.5).map((v) => Math.tanh(v));
const tiny = (o: Partial<TrainOptions> = {}): TrainOptions => ({
  loss: "dcgan",
  size: SIZE,
  width: 1 / 16,
  batchSize: 8,
  steps: 4,
  seed: 3,
  ...o,
});

function bytesOf(values: Map<string, Float32Array>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of values) out.set(k, Array.from(new Uint8Array(v.buffer)).join(","));
  return out;
}

for (const loss of MODEL_LOSSES) {
  Deno.test(`train ${loss}: deterministic for a seed; curves have one entry per step`, async () => {
    await useBackend("wasm");
    const before = tf.memory().numTensors;
    const a = await train(crops, tiny({ loss, steps: 3 }));
    const b = await train(crops, tiny({ loss, steps: 3 }));
    assert.deepEqual(a.curves.dLoss, b.curves.dLoss);
    assert.deepEqual(a.curves.gLoss, b.curves.gLoss);
    assert.deepEqual(bytesOf(await a.gan.values()), bytesOf(await b.gan.values()));
    assert.equal(a.curves.step.length, 3);
    assert.ok(a.curves.dLoss.every(Number.isFinite) && a.curves.gLoss.every(Number.isFinite));
    if (loss === "wgan") {
      assert.equal(a.curves.gap.length, 3);
      assert.ok(a.curves.gp.every((v) => v >= 0));
    } else assert.equal(a.curves.gap.length, 0);
    a.gan.dispose();
    b.gan.dispose();
    assert.equal(tf.memory().numTensors, before, "training leaks no tensors");
  });
}

Deno.test("train: a run resumed from a checkpoint ends bit for bit where an uninterrupted one does", async () => {
  await useBackend("wasm");
  const dir = await Deno.makeTempDir();
  try {
    const whole = await train(crops, tiny({ loss: "wgan", steps: 4 }));
    const first = await train(
      crops,
      tiny({ loss: "wgan", steps: 2, checkpointDir: dir, checkpointEvery: 1 }),
    );
    first.gan.dispose();
    const ck = await readCheckpoint(`${dir}/checkpoint.bin`);
    assert.equal((ck!.meta as { step: number }).step, 2);
    const rest = await train(crops, tiny({ loss: "wgan", steps: 4, checkpointDir: dir }));
    assert.equal(rest.resumedFrom, 2);
    assert.equal(rest.stepsRun, 2);
    assert.deepEqual(rest.curves.dLoss, whole.curves.dLoss);
    assert.deepEqual(rest.curves.gp, whole.curves.gp);
    assert.deepEqual(bytesOf(await rest.gan.values()), bytesOf(await whole.gan.values()));
    rest.gan.dispose();
    whole.gan.dispose();
    await assert.rejects(
      train(crops, tiny({ loss: "wgan", steps: 5, batchSize: 4, checkpointDir: dir })),
      /other settings \(batchSize 8 → 4\)/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train: a training killed with SIGKILL in a child process resumes from its last checkpoint exactly", async () => {
  await useBackend("wasm");
  const { childCrops, childOptions } = await import("./testdata/train_child_options.ts");
  const dir = await Deno.makeTempDir();
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./testdata/train_child.ts", import.meta.url).pathname, dir],
      stdout: "null",
      stderr: "null",
    }).spawn();
    let step = 0;
    const deadline = Date.now() + 60_000;
    while (step < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      const ck = await readCheckpoint(`${dir}/checkpoint.bin`).catch(() => null);
      step = (ck?.meta as { step: number } | undefined)?.step ?? 0;
    }
    child.kill("SIGKILL");
    await child.status;
    assert.ok(step >= 3, "the child saved checkpoints");
    const ck = await readCheckpoint(`${dir}/checkpoint.bin`);
    const killedAt = (ck!.meta as { step: number }).step;
    const steps = killedAt + 2;
    const resumed = await train(childCrops(), { ...childOptions(dir), steps });
    const whole = await train(childCrops(), { ...childOptions(), steps });
    assert.equal(resumed.resumedFrom, killedAt);
    assert.deepEqual(resumed.curves.dLoss, whole.curves.dLoss);
    assert.deepEqual(bytesOf(await resumed.gan.values()), bytesOf(await whole.gan.values()));
    resumed.gan.dispose();
    whole.gan.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train: abort saves a checkpoint and rejects; divergence names the last good checkpoint", async () => {
  await useBackend("wasm");
  const dir = await Deno.makeTempDir();
  try {
    const ac = new AbortController();
    await assert.rejects(
      train(
        crops,
        tiny({
          checkpointDir: dir,
          checkpointEvery: 100,
          signal: ac.signal,
          onProgress: (p) => p.step === 2 && ac.abort(),
        }),
      ),
      (e: unknown) => (e as Error).name === "AbortError",
    );
    assert.equal(((await readCheckpoint(`${dir}/checkpoint.bin`))!.meta as { step: number }).step, 2);
    await assert.rejects(
      train(crops, tiny({ checkpointDir: dir, maxAbsLoss: 1e-9 })),
      (e: unknown) =>
        e instanceof TrainingDivergedError && /step 3.*last good checkpoint is step 2/.test(e.message),
    );
    assert.equal(((await readCheckpoint(`${dir}/checkpoint.bin`))!.meta as { step: number }).step, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train: progress and samples callbacks; bad input is a clear error", async () => {
  await useBackend("wasm");
  const progress: number[] = [], sampled: number[] = [];
  const r = await train(
    crops,
    tiny({
      steps: 2,
      sampleEvery: 1,
      sampleCount: 4,
      onProgress: (p) => progress.push(p.step),
      onSamples: (step, images, shape) => {
        sampled.push(step);
        assert.deepEqual(shape, [4, SIZE, SIZE, 3]);
        assert.equal(images.length, 4 * SIZE * SIZE * 3);
      },
    }),
  );
  r.gan.dispose();
  assert.deepEqual(progress, [1, 2]);
  assert.deepEqual(sampled, [1, 2]);
  await assert.rejects(train(crops.subarray(1), tiny()), /\[N, 16, 16, 3\]/);
  await assert.rejects(train(crops, tiny({ batchSize: 64 })), /fewer than a batch/);
});

Deno.test({
  name: "train on real BBBC021 crops: a few LSGAN steps at 32 px give finite losses",
  ignore: !haveRealCrops(),
  async fn() {
    await useBackend("wasm");
    const real = await readRealCrops(32, 32);
    assert.ok(real.every((v) => v >= -1 && v <= 1));
    const r = await train(real, { loss: "lsgan", size: 32, width: 1 / 8, batchSize: 16, steps: 3, seed: 1 });
    assert.ok(r.curves.dLoss.every(Number.isFinite));
    r.gan.dispose();
  },
});
if (!haveRealCrops()) console.log(NO_REAL_CROPS);

Deno.test("dihedral: the 8 symmetries of the square are distinct, and a quarter turn four times is the identity", () => {
  const s = 5, px = s * s * 3;
  const crop = randn(px, 4);
  const seen = new Set<string>();
  for (let k = 0; k < 8; k++) {
    const out = new Float32Array(px);
    dihedral(crop, s, k, out);
    seen.add(out.join(","));
    if (k === 0) assert.deepEqual(out, crop);
  }
  assert.equal(seen.size, 8);
  let x = crop;
  for (let t = 0; t < 4; t++) {
    const y = new Float32Array(px);
    dihedral(x, s, 1, y);
    if (t < 3) assert.notDeepEqual(y, crop);
    x = y;
  }
  assert.deepEqual(x, crop);
  const flipped = new Float32Array(px), back = new Float32Array(px);
  dihedral(crop, s, 4, flipped);
  dihedral(flipped, s, 4, back);
  assert.deepEqual(back, crop);
});

Deno.test("train augment: dihedral changes the run, stays deterministic, and resumes bit for bit", async () => {
  await useBackend("wasm");
  const dir = await Deno.makeTempDir();
  try {
    const plain = await train(crops, tiny({ steps: 4 }));
    // 24 crops in batches of 8: steps 4 crosses an epoch, so resuming at step 2 restores the epoch's draws.
    const whole = await train(crops, tiny({ steps: 4, augment: "dihedral" }));
    assert.notDeepEqual(whole.curves.dLoss, plain.curves.dLoss);
    const first = await train(crops, tiny({ steps: 2, augment: "dihedral", checkpointDir: dir }));
    first.gan.dispose();
    const rest = await train(crops, tiny({ steps: 4, augment: "dihedral", checkpointDir: dir }));
    assert.equal(rest.resumedFrom, 2);
    assert.deepEqual(rest.curves.dLoss, whole.curves.dLoss);
    assert.deepEqual(bytesOf(await rest.gan.values()), bytesOf(await whole.gan.values()));
    for (const r of [plain, whole, rest]) r.gan.dispose();
    await assert.rejects(
      train(crops, tiny({ augment: "jitter" as "none" })),
      /augment must be one of none, dihedral/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train vae: the loss falls; μ is the latent layer; a resumed run ends bit for bit where a whole one does", async () => {
  await useBackend("wasm");
  const dir = await Deno.makeTempDir();
  try {
    const o = tiny({ loss: "vae", steps: 40, batchSize: 8, width: 1 / 8 });
    const whole = await train(crops, o);
    const { dLoss: recon, gLoss: kl } = whole.curves;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(
      mean(recon.slice(-10)) < 0.8 * mean(recon.slice(0, 10)),
      `reconstruction ${recon[0]} → ${recon.at(-1)}`,
    );
    assert.ok(kl.every((v) => v >= 0), "KL ≥ 0");
    // The encoder's mean is D's latent layer: what extraction reads.
    tf.tidy(() => {
      const x = tf.tensor4d(crops.subarray(0, 4 * SIZE * SIZE * 3), [4, SIZE, SIZE, 3]);
      const { mu } = whole.gan.encode(x);
      const { latent } = whole.gan.discriminate(x);
      assert.deepEqual(Array.from(mu.dataSync()), Array.from(latent.dataSync()));
    });
    const first = await train(crops, { ...o, steps: 20, checkpointDir: dir, checkpointEvery: 5 });
    first.gan.dispose();
    const rest = await train(crops, { ...o, checkpointDir: dir });
    assert.equal(rest.resumedFrom, 20);
    assert.deepEqual(bytesOf(await rest.gan.values()), bytesOf(await whole.gan.values()));
    whole.gan.dispose();
    rest.gan.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train bigan: D judges (x, z) pairs; each step moves D, G and E; a resumed run ends bit for bit", async () => {
  await useBackend("wasm");
  const dir = await Deno.makeTempDir();
  try {
    const o = tiny({ loss: "bigan", steps: 12, batchSize: 8, width: 1 / 8 });
    const start = await train(crops, { ...o, steps: 0 });
    const whole = await train(crops, o);
    const before = await start.gan.values(), after = await whole.gan.values();
    for (const net of ["g/", "d/", "e/"]) {
      const moved = [...after].filter(([k, v]) =>
        k.startsWith(net) && !k.includes("moving") && v.some((x, i) => x !== before.get(k)![i])
      );
      assert.ok(moved.length > 0, `${net} weights change`);
    }
    assert.equal(whole.curves.eLoss?.length, 12, "the encoder's loss is logged per step");
    assert.ok(whole.curves.eLoss!.every((v) => Number.isFinite(v) && v > 0));
    tf.tidy(() => {
      const x = tf.tensor4d(crops.subarray(0, 4 * SIZE * SIZE * 3), [4, SIZE, SIZE, 3]);
      const gan = whole.gan;
      // The profile is E(x); D's view of the pair (x, E(x)) is the default, and another z changes it.
      const e = gan.encodeBigan(x);
      assert.deepEqual(gan.profile(x).arraySync(), e.arraySync());
      assert.deepEqual(gan.inferLatent(x).arraySync(), e.arraySync());
      assert.deepEqual(
        gan.discriminate(x).logit.arraySync(),
        gan.discriminate(x, undefined, e).logit.arraySync(),
      );
      const other = gan.discriminate(x, undefined, tf.zerosLike(e)).logit.arraySync() as number[][];
      assert.notDeepEqual(other, gan.discriminate(x).logit.arraySync(), "D's judgement depends on z");
      assert.deepEqual(e.shape, [4, 100]);
    });
    // In training, E's codes are normalised by the batch: per dimension (h − mean) / √(σ² + ε), h the linear
    // layer's output (read here through the moving statistics set to mean 0, variance 1 − ε).
    const values = await whole.gan.values();
    values.set("e/bn/moving_variance", new Float32Array(100).fill(1 - 1e-3));
    values.set("e/bn/moving_mean", new Float32Array(100));
    const raw = new Gan(whole.gan.config, values);
    tf.tidy(() => {
      const all = tf.tensor4d(crops, [24, SIZE, SIZE, 3]);
      const h = raw.encodeBigan(all);
      const { mean, variance } = tf.moments(h, 0);
      const expected = tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-3)));
      const got = whole.gan.encodeBigan(all, true);
      assert.ok(tf.max(tf.abs(tf.sub(got, expected))).dataSync()[0] < 1e-4);
      assert.ok(tf.max(tf.abs(tf.mean(got, 0))).dataSync()[0] < 1e-4, "mean 0 per dimension");
    });
    raw.dispose();
    start.gan.dispose();
    const first = await train(crops, { ...o, steps: 5, checkpointDir: dir, checkpointEvery: 2 });
    first.gan.dispose();
    const ck = await readCheckpoint(`${dir}/checkpoint.bin`);
    assert.ok([...ck!.tensors.keys()].some((k) => k.startsWith("adamE/")), "E's optimiser is checkpointed");
    const rest = await train(crops, { ...o, checkpointDir: dir });
    assert.equal(rest.resumedFrom, 5);
    assert.deepEqual(bytesOf(await rest.gan.values()), bytesOf(await whole.gan.values()));
    assert.deepEqual(rest.curves.eLoss, whole.curves.eLoss);
    whole.gan.dispose();
    rest.gan.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
