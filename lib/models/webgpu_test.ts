/**
 * The webgpu backend trains the GANs faithfully: every loss's first steps match the wasm backend's, every
 * kernel a step runs is a webgpu kernel and none is handed to the CPU, and checkpoints written on one
 * backend resume on the other. Without a GPU these run on a software adapter (Mesa's llvmpipe: slow, the
 * first step compiles every shader), and skip with a message where there is no adapter at all.
 *
 * @module
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { GanLoss } from "./gan.ts";
import { train, type TrainOptions } from "./train.ts";
import { haveWebGpu, useBackend } from "./test_util.ts";
import { childCrops } from "./testdata/train_child_options.ts";

const webgpu = await haveWebGpu("the webgpu training tests");

/** The tiny training of these tests: 16 px, a quarter of the filters, batch 12. */
const options = (loss: GanLoss, steps: number, checkpointDir?: string): TrainOptions => ({
  loss,
  size: 16,
  width: 1 / 4,
  batchSize: 12,
  steps,
  seed: 9,
  checkpointDir,
});

interface Run {
  dLoss: number[];
  gLoss: number[];
  weights: Map<string, Float32Array>;
  resumedFrom: number | null;
}

async function trainOn(backend: "wasm" | "webgpu", o: TrainOptions): Promise<Run> {
  await useBackend(backend);
  const r = await train(childCrops(), o);
  const weights = await r.gan.values();
  r.gan.dispose();
  return { dLoss: r.curves.dLoss, gLoss: r.curves.gLoss, weights, resumedFrom: r.resumedFrom };
}

/** Losses within 1e-4 relative, every weight within 1e-4 (weights are of order 0.01–1). */
function assertClose(a: Run, b: Run, what: string): void {
  for (const k of ["dLoss", "gLoss"] as const) {
    assert.equal(a[k].length, b[k].length);
    a[k].forEach((v, i) => {
      const rel = Math.abs(v - b[k][i]) / Math.max(1e-6, Math.abs(b[k][i]));
      assert.ok(rel <= 1e-4, `${what}: ${k}[${i}] ${v} vs ${b[k][i]} (relative ${rel})`);
    });
  }
  for (const [name, w] of a.weights) {
    const u = b.weights.get(name)!;
    let worst = 0;
    for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(w[i] - u[i]));
    assert.ok(worst <= 1e-4, `${what}: weight ${name} differs by up to ${worst}`);
  }
}

Deno.test({
  name:
    "webgpu: every loss's first steps match wasm; every kernel is a webgpu kernel, none handed to the CPU",
  ignore: !webgpu,
  async fn() {
    for (const loss of ["dcgan", "lsgan", "wgan"] as const) {
      const wasm = await trainOn("wasm", options(loss, 3));
      await useBackend("webgpu");
      // tfjs hands a kernel to the CPU when shouldExecuteOnCPU says so: count the hand-offs.
      const backend = tf.backend() as unknown as { shouldExecuteOnCPU(...a: unknown[]): boolean };
      const original = backend.shouldExecuteOnCPU;
      let handoffs = 0;
      backend.shouldExecuteOnCPU = function (...a: unknown[]) {
        const cpu = original.apply(this, a);
        if (cpu) handoffs++;
        return cpu;
      };
      let gpu: Run | undefined;
      try {
        const info = await tf.profile(async () => {
          gpu = await trainOn("webgpu", options(loss, 3));
        });
        const names = [...new Set(info.kernels.map((k) => k.name))];
        assert.ok(names.length > 20, `${loss}: only ${names.length} kernels profiled`);
        const missing = names.filter((n) => !tf.getKernel(n, "webgpu"));
        assert.deepEqual(missing, [], `${loss}: kernels without a webgpu implementation`);
        assert.equal(handoffs, 0, `${loss}: ${handoffs} kernels ran on the CPU`);
      } finally {
        backend.shouldExecuteOnCPU = original;
      }
      assertClose(gpu!, wasm, `${loss} on webgpu vs wasm`);
    }
    await useBackend("wasm");
  },
});

Deno.test({
  name: "webgpu: a checkpoint written on wasm resumes on webgpu, and one written on webgpu resumes on wasm",
  ignore: !webgpu,
  async fn() {
    const whole = await trainOn("wasm", options("wgan", 4));
    for (const [first, second] of [["wasm", "webgpu"], ["webgpu", "wasm"]] as const) {
      const dir = await Deno.makeTempDir();
      try {
        await trainOn(first, options("wgan", 2, dir));
        const resumed = await trainOn(second, options("wgan", 4, dir));
        assert.equal(resumed.resumedFrom, 2, `${first} → ${second}: resumed from ${resumed.resumedFrom}`);
        assertClose(resumed, whole, `2 steps on ${first}, 2 on ${second}, vs 4 on wasm`);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }
    await useBackend("wasm");
  },
});
