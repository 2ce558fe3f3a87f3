// Shared by train_test.ts and its child process: the same crops and settings on both sides.
import type { TrainOptions } from "../train.ts";
import { randn } from "../test_util.ts";

/** The child's crops: [24, 16, 16, 3] in (−1, 1). */
export function childCrops(): Float32Array {
  return randn(24 * 16 * 16 * 3, 11, 0.5).map((v) => Math.tanh(v));
}

/** The child's settings (steps aside). */
export function childOptions(checkpointDir?: string): TrainOptions {
  return { loss: "wgan", size: 16, width: 1 / 16, batchSize: 8, steps: 0, seed: 9, checkpointDir };
}
