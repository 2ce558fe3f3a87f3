/**
 * The GPU kit end to end on this machine, at toy size: `tools/gpu/kit.sh` builds it (Deno, the bundled
 * benchmark, Debian's Vulkan and GL/EGL packages), and its `check.sh`, run from a copy of the kit with Python
 * alone unpacking it, writes gpu.json with our webgpu steps (on the software adapter here) and PyTorch's
 * beside them (on the CPU here). Skipped with a message without a WebGPU adapter, xz, or apt-get download.
 *
 * @module
 */
import assert from "node:assert/strict";
import { probeWebGpu } from "../../lib/models/backend.ts";

const root = new URL("../../", import.meta.url).pathname;

async function sh(cmd: string, env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command("bash", {
    args: ["-c", cmd],
    cwd: root,
    env,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

async function why(): Promise<string | null> {
  const gpu = await probeWebGpu();
  if (!gpu.available) return `no WebGPU adapter (${gpu.detail})`;
  if ((await sh("command -v xz && command -v apt-get")).code !== 0) return "xz or apt-get is missing";
  if ((await sh('cd "$(mktemp -d)" && apt-get download -q libvulkan1')).code !== 0) {
    return "apt-get download cannot reach a package archive";
  }
  return null;
}

const skip = await why();
if (skip) console.warn(`skipping the GPU kit test: ${skip}`);

Deno.test({
  name:
    "GPU kit: built here, its check.sh (Python alone unpacks it) measures webgpu and PyTorch into gpu.json",
  ignore: skip !== null,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "morphogan-gpu-kit-test-" });
    try {
      const built = await sh(`bash tools/gpu/kit.sh "${dir}/kit"`, {
        KIT_XZ_LEVEL: "0",
        DENO: Deno.execPath(),
      });
      assert.equal(built.code, 0, built.out);
      const manifest = JSON.parse(await Deno.readTextFile(`${dir}/kit/manifest.json`));
      assert.ok(manifest.bytes < 64 * 2 ** 20, `kit of ${manifest.bytes} bytes`);
      assert.ok(manifest.debs.some((d: string) => d.startsWith("libvulkan1_")), manifest.debs.join());
      // Run from elsewhere, as on the GPU machine: nothing of the repository but the kit.
      const torch = (await sh("/usr/bin/python3 -c 'import torch'")).code === 0;
      const run = await sh(`bash "${dir}/kit/check.sh"`, {
        OUT: `${dir}/out`,
        GPU_SIZES: "16",
        GPU_LOSSES: "dcgan,wgan",
        GPU_STEPS: "1",
        GPU_WIDTH: "0.25",
        GPU_BATCH: "8",
        GPU_TORCH_DEVICE: "cpu",
        GPU_PYTHON: torch ? "/usr/bin/python3" : "python3",
        PATH: "/usr/bin:/bin",
      });
      assert.equal(run.code, 0, run.out);
      const result = JSON.parse(await Deno.readTextFile(`${dir}/out/gpu.json`));
      assert.equal(result.backend, "webgpu");
      assert.deepEqual(result.steps.map((s: { loss: string }) => s.loss), ["dcgan", "wgan"]);
      for (const s of result.steps) assert.ok(s.oursSeconds > 0 && s.oursSeconds < 60, JSON.stringify(s));
      assert.ok(result.inference[0].imagesPerSecond > 0);
      if (torch) {
        assert.equal(result.torchDevice, "cpu");
        for (const s of result.steps) assert.ok(s.torchSeconds > 0 && s.ratio > 0, JSON.stringify(s));
      } else assert.match(result.torchError.join(), /torch/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
