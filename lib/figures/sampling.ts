/**
 * A trained GAN as an {@link ImageGenerator} (G in inference mode, batched, plain arrays in and out), also
 * one saved to a folder and loaded only while it generates, and its discriminator as a feature encoder (the
 * 100-d `latent` layer, no input noise). Select a tf backend first (lib/models/backend.ts).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Gan } from "../models/gan.ts";
import { encodeLatents } from "../models/encode.ts";
import { loadGan } from "../models/weights.ts";
import type { ImageGenerator } from "./latent.ts";

/** G of `gan` as a generator of `[n, S, S, 3]` images in (−1, 1), `batchSize` at a time. */
export function ganGenerator(gan: Gan, batchSize = 256): ImageGenerator {
  const d = gan.config.latentDim, s = gan.config.size, per = s * s * 3;
  return {
    latentDim: d,
    size: s,
    async generate(z: Float32Array, n: number): Promise<Float32Array> {
      if (z.length !== n * d) {
        throw new RangeError(`generate: expected ${n}×${d} latent values, got ${z.length}`);
      }
      const out = new Float32Array(n * per);
      for (let i = 0; i < n; i += batchSize) {
        const m = Math.min(batchSize, n - i);
        const images = tf.tidy(() =>
          gan.generate(tf.tensor2d(z.subarray(i * d, (i + m) * d), [m, d]), false)
        );
        out.set(await images.data() as Float32Array, i * per);
        images.dispose();
      }
      return out;
    },
  };
}

/**
 * G of the GAN saved in `modelDir` (weights.ts) as a generator that loads the model for each call and frees
 * it after, so that many saved GANs (replicate seeds) can be sampled one at a time. `latentDim` and `size`
 * are what the caller expects; a model of other dimensions is an error naming the folder.
 */
export function savedGanGenerator(
  modelDir: string,
  latentDim: number,
  size: number,
  batchSize = 256,
): ImageGenerator {
  return {
    latentDim,
    size,
    async generate(z: Float32Array, n: number): Promise<Float32Array> {
      const gan = await loadGan(modelDir);
      try {
        const c = gan.config;
        if (c.latentDim !== latentDim || c.size !== size) {
          throw new Error(
            `Cannot sample the GAN in '${modelDir}': expected ${latentDim}-d latents and ${size} px images like the others, found ${c.latentDim}-d and ${c.size} px`,
          );
        }
        return await ganGenerator(gan, batchSize).generate(z, n);
      } finally {
        gan.dispose();
      }
    },
  };
}

/** D's `latent` features of `[n, S, S, 3]` crops, `[n, featureDim]`. */
export function discriminatorFeatures(gan: Gan, crops: Float32Array, batchSize = 256): Promise<Float32Array> {
  return encodeLatents(gan, crops, { batchSize, noiseStd: 0 });
}
