/**
 * Tests of our `BatchMatMul` ({@link ./batch_matmul.ts}) against the cpu backend.
 *
 * @module
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { randn, relError, valuesOn } from "../test_util.ts";

Deno.test("wasm BatchMatMul (1×1-convolution path) matches the cpu backend with transposes and ranks 2 and 3", async () => {
  for (const [M, K, N] of [[3, 5, 7], [37, 64, 10], [1, 9, 1]]) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        for (const rank3 of [false, true]) {
          const a = randn(M * K, M + K), b = randn(K * N, K + N);
          const lead = rank3 ? [1] : [];
          const f = () =>
            tf.matMul(
              tf.tensor(a, [...lead, ...(ta ? [K, M] : [M, K])]) as unknown as tf.Tensor2D,
              tf.tensor(b, [...lead, ...(tb ? [N, K] : [K, N])]) as unknown as tf.Tensor2D,
              ta,
              tb,
            );
          const e = relError(await valuesOn("wasm", f), await valuesOn("cpu", f));
          assert.ok(e < 1e-5, `matMul ${M}×${K}×${N} ta ${ta} tb ${tb} rank3 ${rank3}: ${e}`);
        }
      }
    }
  }
});
