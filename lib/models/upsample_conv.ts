/**
 * 2× upsampling (nearest-neighbour, or bilinear) followed by a stride-1 "same" convolution with an odd k×k
 * filter, computed as ONE convolution at the low resolution.
 *
 * Output pixel u = 2q + p (p ∈ {0, 1}, the phase) of the upsampled convolution reads low-resolution rows
 * q + ⌊(p + t − r)/2⌋ for taps t = 0..k−1 (r = (k−1)/2). So each phase is a J-tap convolution (J = 3 for
 * k = 3 or 5) of the low-resolution input with a filter whose taps are sums of the original taps. All four
 * phases run as one convolution with 4·Co output channels, interleaved by a depth-to-space rearrangement.
 * For k = 5 that is 4·9 = 36 multiply-adds per output instead of 4·25 = 100 at the high resolution: 2.8×
 * fewer, and the gradients (through `tf.conv2d`, `matMul`, `transpose`) shrink the same way. The result
 * equals `conv2d(resizeNearestNeighbor(x, 2×), f, 1, "same")` up to float rounding.
 *
 * Bilinear upsampling (half-pixel centres: high-resolution row 2q reads 0.25·x[q−1] + 0.75·x[q], row 2q + 1
 * reads 0.75·x[q] + 0.25·x[q+1], rows outside the image read 0) folds into the phase filters the same way,
 * with weighted sums of taps over one more low-resolution row (J = 4 for k = 5). The convolution then sees the
 * upsampled image beyond its border too (a quarter of the edge row, then zeros), so the operation is the same
 * at every position: a transposed convolution whose kernel is the filter blurred by the bilinear one. Nearest upsampling gives each
 * output phase its own sums of the filter's taps, so a filter whose phase sums differ draws a 2-pixel
 * checkerboard; interpolating first spreads every low-resolution pixel over both phases.
 *
 * @module
 */
import { type Upsampling, UPSAMPLINGS } from "./hyperparams.ts";

export { type Upsampling, UPSAMPLINGS };
import * as tf from "@tensorflow/tfjs";

interface PhasePlan {
  /** taps per phase */
  J: number;
  /** padding before / after at the low resolution */
  padLo: number;
  padHi: number;
  /** [J·J·2·2, k·k] weights: row ((a·J + b)·2 + p)·2 + p′, column t·k + t′ */
  mix: Float32Array;
}

const plans = new Map<string, PhasePlan>();

/** The low-resolution rows (offset from q, weight) that high-resolution row 2q + s of the upsampled input reads. */
function reads(s: number, mode: Upsampling): [number, number][] {
  const q = Math.floor(s / 2), p = s - 2 * q;
  if (mode === "nearest") return [[q, 1]];
  return p === 0 ? [[q - 1, 0.25], [q, 0.75]] : [[q, 0.75], [q + 1, 0.25]];
}

function plan(k: number, mode: Upsampling): PhasePlan {
  const cached = plans.get(`${k} ${mode}`);
  if (cached) return cached;
  if (k % 2 !== 1) throw new Error(`upsampleConv2x needs an odd kernel size, got ${k}`);
  if (!UPSAMPLINGS.includes(mode)) {
    throw new Error(`upsampleConv2x: expected upsampling ${UPSAMPLINGS.join(" or ")}, got '${mode}'`);
  }
  const r = (k - 1) / 2;
  // Output phase p, tap t reads upsampled row 2q + p + t − r.
  const tapReads = (p: number, t: number) => reads(p + t - r, mode);
  const offsets = [0, 1].flatMap((p) =>
    Array.from({ length: k }, (_, t) => tapReads(p, t).map(([o]) => o)).flat()
  );
  const lo = Math.min(...offsets), hi = Math.max(...offsets);
  const J = hi - lo + 1;
  // A[p][j][t]: the weight with which tap t of phase p reads offset lo + j.
  const A = (p: number, j: number, t: number) =>
    tapReads(p, t).reduce((w, [o, v]) => (o === lo + j ? w + v : w), 0);
  const mix = new Float32Array(J * J * 4 * k * k);
  for (let a = 0; a < J; a++) {
    for (let b = 0; b < J; b++) {
      for (let p = 0; p < 2; p++) {
        for (let q = 0; q < 2; q++) {
          const row = ((a * J + b) * 2 + p) * 2 + q;
          for (let t = 0; t < k; t++) {
            for (let u = 0; u < k; u++) mix[row * k * k + t * k + u] = A(p, a, t) * A(q, b, u);
          }
        }
      }
    }
  }
  const result = { J, padLo: -lo, padHi: hi, mix };
  plans.set(`${k} ${mode}`, result);
  return result;
}

/**
 * The phase filter [J, J, Ci, 4·Co] of a k×k filter [k, k, Ci, Co]; differentiable in `filter`.
 */
export function phaseFilter2x(filter: tf.Tensor4D, mode: Upsampling = "nearest"): tf.Tensor4D {
  const [k, k2, ci, co] = filter.shape;
  if (k !== k2) throw new Error(`upsampleConv2x needs a square filter, got ${k}×${k2}`);
  const { J, mix } = plan(k, mode);
  return tf.tidy(() => {
    const m = tf.tensor2d(mix, [J * J * 4, k * k]);
    const mixed = tf.matMul(m, tf.reshape(filter, [k * k, ci * co])); // [J·J·4, Ci·Co]
    const six = tf.reshape(mixed, [J, J, 2, 2, ci, co]);
    return tf.reshape(tf.transpose(six, [0, 1, 4, 2, 3, 5]), [J, J, ci, 4 * co]) as tf.Tensor4D;
  });
}

/**
 * Depth-to-space with block 2 for NHWC ([B, H, W, 4C] → [B, 2H, 2W, C], channel order (row phase,
 * column phase, c) as in `tf.depthToSpace`), written with reshape and transpose so it has a gradient.
 */
export function depthToSpace2x(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c4] = x.shape;
  if (c4 % 4 !== 0) throw new Error(`depthToSpace2x needs channels divisible by 4, got ${c4}`);
  const c = c4 / 4;
  return tf.tidy(() => {
    const t = tf.transpose(tf.reshape(x, [b * h, w, 2, 2 * c]), [0, 2, 1, 3]); // [B·H, 2, W, 2C]
    return tf.reshape(t, [b, 2 * h, 2 * w, c]) as tf.Tensor4D;
  });
}

/**
 * `conv2d(upsample2x(x), filter, 1, "same")` as one low-resolution convolution, the upsampling nearest
 * (`resizeNearestNeighbor`) or bilinear (see the module doc).
 *
 * @param x [B, H, W, Ci]
 * @param filter [k, k, Ci, Co], k odd
 * @param mode the upsampling (default `nearest`, the paper's)
 * @returns [B, 2H, 2W, Co]
 */
export function upsampleConv2x(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  mode: Upsampling = "nearest",
): tf.Tensor4D {
  if (x.shape[3] !== filter.shape[2]) {
    throw new Error(`upsampleConv2x: input has ${x.shape[3]} channels, filter expects ${filter.shape[2]}`);
  }
  const { padLo, padHi } = plan(filter.shape[0], mode);
  return tf.tidy(() => {
    const f = phaseFilter2x(filter, mode); // [J, J, Ci, 4·Co]
    const pad = padLo === padHi && padLo === (f.shape[0] - 1) / 2
      ? "same"
      : [[0, 0], [padLo, padHi], [padLo, padHi], [0, 0]] as tf.backend_util.ExplicitPadding;
    const y = tf.conv2d(x, f, 1, pad); // [B, H, W, 4·Co]
    return depthToSpace2x(y); // [B, 2H, 2W, Co]
  });
}
