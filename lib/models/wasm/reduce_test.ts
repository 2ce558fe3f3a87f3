/**
 * Tests of `Sum` / `Mean` over leading axes ({@link ./reduce.ts}), and, in the same cases, of `Identity`
 * and `Cast` sharing their input's buffer ({@link ./identity.ts}): bit for bit the stock kernels.
 *
 * @module
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { randn, relError, valuesOn } from "../test_util.ts";
import { assertSameBits, threeWays } from "./test_util.ts";

Deno.test("wasm Sum / Mean over leading axes, shared Identity and Cast equal the stock kernels bit for bit", async () => {
  const v = randn(6 * 5 * 4 * 3, 4);
  const x = () => tf.tensor(v, [6, 5, 4, 3]);
  const cases: [string, () => tf.Tensor][] = [
    ["sum [0, 1, 2]", () => tf.sum(x(), [0, 1, 2])],
    ["sum [0] keepDims", () => tf.sum(x(), 0, true)],
    ["mean [0, 1]", () => tf.mean(x(), [1, 0])],
    ["mean all", () => tf.mean(x())],
    ["sum [1, 2] (stock)", () => tf.sum(x(), [1, 2])],
    ["moments", () => tf.moments(x(), [0, 1, 2]).variance],
    ["clone, cast", () => tf.add(tf.clone(x()), tf.cast(x(), "float32"))],
    [
      "gradient of sum and mean",
      () => tf.grad((t: tf.Tensor) => tf.add(tf.sum(tf.square(tf.sum(t, [0, 1]))), tf.mean(t)))(x()),
    ],
  ];
  for (const [what, f] of cases) {
    const { on, off, cpu } = await threeWays(f);
    assertSameBits(on, off, what);
    assert.ok(relError(on, cpu) < 1e-5, `${what}: relative error ${relError(on, cpu)} against cpu`);
  }
  await useBackendWasmAndCheckSharing();
});

async function useBackendWasmAndCheckSharing(): Promise<void> {
  await valuesOn("wasm", () => tf.scalar(0));
  const before = tf.memory().numTensors;
  const a = tf.tensor([1, 2, 3]);
  const b = tf.clone(a), c = tf.cast(a, "float32");
  a.dispose();
  assert.deepEqual(Array.from(await b.data()), [1, 2, 3], "a shared buffer outlives the tensor it came from");
  b.dispose();
  assert.deepEqual(Array.from(await c.data()), [1, 2, 3]);
  c.dispose();
  assert.equal(tf.memory().numTensors, before);
}
