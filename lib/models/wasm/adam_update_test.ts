/**
 * Tests of the fused Adam update ({@link ./adam_update.ts}) through `../adam.ts`: bit for bit the unfused
 * update.
 *
 * @module
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { randn, relError } from "../test_util.ts";
import { Adam } from "../adam.ts";
import { assertSameBits, threeWays } from "./test_util.ts";

Deno.test("fused Adam updates equal the unfused ones bit for bit and match cpu", async () => {
  const n = 1000;
  const run = () => {
    const p = tf.variable(tf.tensor(randn(n, 5), [10, 100]));
    const adam = new Adam(new Map([["p", p]]), { lr: 2e-4, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 });
    for (let s = 0; s < 4; s++) {
      tf.tidy(() => adam.apply({ [p.name]: tf.tensor(randn(n, 6 + s, 10 ** -s), [10, 100]) }));
    }
    adam.dispose();
    const out = tf.clone(p);
    p.dispose();
    return out;
  };
  const { on, off, cpu } = await threeWays(run);
  assertSameBits(on, off, "Adam");
  assert.ok(relError(on, cpu) < 1e-6, `Adam: relative error ${relError(on, cpu)} against cpu`);
});
