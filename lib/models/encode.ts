/**
 * Feature extraction: each crop's 100-d `latent` activation of the discriminator (the cell profile).
 *
 * By default no input noise is added (deterministic profiles). The authors' noise layer also acted when
 * encoding; `noiseStd: 0.1` with a seed reproduces that.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Gan } from "./gan.ts";
import { Rng } from "./rng.ts";

/** Options of {@link encodeLatents}. */
export interface EncodeOptions {
  /** crops per forward pass (default 256) */
  batchSize?: number;
  /** std of Gaussian noise added to the input (default 0) */
  noiseStd?: number;
  /** seed of that noise (default 0) */
  seed?: number;
  /** called after each batch with the number of crops done */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * The `latent` activations of D for crops [N, s, s, 3] in [−1, 1] (NHWC): [N, featureDim], row-major.
 */
export async function encodeLatents(
  gan: Gan,
  crops: Float32Array,
  options: EncodeOptions = {},
): Promise<Float32Array> {
  const s = gan.config.size, px = s * s * 3, d = gan.config.featureDim;
  if (crops.length % px !== 0) {
    throw new Error(`crops must be [N, ${s}, ${s}, 3]; got ${crops.length} values`);
  }
  const n = crops.length / px, bs = options.batchSize ?? 256, std = options.noiseStd ?? 0;
  const rng = new Rng(options.seed ?? 0);
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i += bs) {
    options.signal?.throwIfAborted();
    const b = Math.min(bs, n - i);
    const noise = std > 0 ? rng.fillNormal(new Float32Array(b * px), std) : null;
    const latent = tf.tidy(() => {
      const x = tf.tensor4d(crops.subarray(i * px, (i + b) * px), [b, s, s, 3]);
      return gan.discriminate(x, noise ? tf.tensor4d(noise, [b, s, s, 3]) : undefined).latent;
    });
    out.set(await latent.data() as Float32Array, i * d);
    latent.dispose();
    options.onProgress?.(i + b, n);
  }
  return out;
}
