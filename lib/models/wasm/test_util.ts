/**
 * Test helpers for the bit-identical kernels of lib/models/wasm: a function run with them on and off, and a
 * bit-for-bit comparison.
 *
 * @module
 */
import assert from "node:assert/strict";
import type * as tf from "@tensorflow/tfjs";
import { valuesOn } from "../test_util.ts";
import { tuning } from "./tuning.ts";

/** Runs `f` on wasm with the new kernels on, on wasm with them off, and on cpu. */
export async function threeWays(
  f: () => tf.Tensor,
): Promise<{ on: Float32Array; off: Float32Array; cpu: Float32Array }> {
  const saved = { ...tuning };
  const on = await valuesOn("wasm", f);
  Object.assign(tuning, {
    shareIdentity: false,
    fusedLeakyRelu: false,
    leadingReductions: false,
    fusedAdam: false,
  });
  let off: Float32Array;
  try {
    off = await valuesOn("wasm", f);
  } finally {
    Object.assign(tuning, saved);
  }
  return { on, off, cpu: await valuesOn("cpu", f) };
}

/** Asserts that a and b hold the same float32 bit patterns. */
export function assertSameBits(a: Float32Array, b: Float32Array, what: string): void {
  const ai = new Int32Array(a.buffer, a.byteOffset, a.length),
    bi = new Int32Array(b.buffer, b.byteOffset, b.length);
  assert.equal(ai.length, bi.length);
  const i = ai.findIndex((v, j) => v !== bi[j]);
  assert.equal(i, -1, `${what}: element ${i} differs (${a[i]} vs ${b[i]})`);
}
