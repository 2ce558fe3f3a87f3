import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { probeWebGpu, selectBackend } from "./backend.ts";

Deno.test("selectBackend: named backends start or fail with the reason; auto says why", async () => {
  const cpu = await selectBackend("cpu");
  assert.equal(cpu.name, "cpu");
  assert.equal(tf.getBackend(), "cpu");
  const wasm = await selectBackend("wasm");
  assert.equal(wasm.name, "wasm");
  assert.match(wasm.detail, /XNNPACK/);
  await assert.rejects(
    selectBackend("tensorflow"),
    /backend 'tensorflow' is unavailable: @tensorflow\/tfjs-node-gpu: /,
  );
  await assert.rejects(selectBackend("metal" as never), /unknown backend 'metal'/);
  const auto = await selectBackend("auto");
  assert.ok(["tensorflow", "webgpu", "wasm", "cpu"].includes(auto.name));
  assert.match(auto.reason, /^auto: /);
  if (auto.name !== "tensorflow") assert.match(auto.reason, /tensorflow unavailable/);
  const gpu = await probeWebGpu();
  if (auto.name === "wasm") assert.ok(!gpu.hardware, `auto skipped a hardware adapter: ${gpu.detail}`);
  await selectBackend("wasm");
});
