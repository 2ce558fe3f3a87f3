/**
 * Feature extraction: each crop's profile from the model's profile network (D; the BiGAN's encoder E).
 *
 * - `latent`: the 100-d profile ({@link Gan.profile}: D's `latent` layer, the paper's cell profile; the VAE's
 *   μ; the BiGAN's E(x));
 * - `pooled`: each convolutional layer of that network averaged over the image, concatenated
 *   ({@link Gan.pooledFeatures});
 * - `critic`: D's `latent` layer (the same as `latent` for the GANs; for the BiGAN, D's view of the pair
 *   (x, E(x)), the features "beside" E(x)).
 *
 * `symmetries: 8` averages a crop's features over the 8 symmetries of the square (flips and quarter turns):
 * a cell has no preferred orientation, and the `latent` layer weighs every position separately.
 *
 * By default no input noise is added (deterministic profiles). The authors' noise layer also acted when
 * encoding; `noiseStd: 0.1` with a seed reproduces that.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { channels, type Gan } from "./gan.ts";
import { Rng } from "./rng.ts";

/** The layers a profile may be read from. */
export type FeatureLayer = "latent" | "pooled" | "critic";

/** The layer names. */
export const FEATURE_LAYERS: readonly FeatureLayer[] = ["latent", "pooled", "critic"];

/** Options of {@link encodeFeatures}. */
export interface EncodeOptions {
  /** the layers, concatenated in this order (default `["latent"]`) */
  layers?: readonly FeatureLayer[];
  /** 1 (default) or 8: average over the symmetries of the square */
  symmetries?: 1 | 8;
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

/** The names of the features {@link encodeFeatures} returns for `layers`: `f0..f99`, `p0..`, `c0..c99`. */
export function featureNames(gan: Gan, layers: readonly FeatureLayer[] = ["latent"]): string[] {
  const names: string[] = [];
  for (const layer of layers) {
    if (!FEATURE_LAYERS.includes(layer)) {
      throw new Error(`unknown feature layer '${layer}': expected ${FEATURE_LAYERS.join(", ")}`);
    }
    const c = gan.config;
    const n = layer === "latent"
      ? (c.loss === "bigan" ? c.latentDim : c.featureDim)
      : layer === "critic"
      ? c.featureDim
      : channels(c).d.reduce((a, b) => a + b, 0);
    const prefix = { latent: "f", pooled: "p", critic: "c" }[layer];
    for (let i = 0; i < n; i++) names.push(`${prefix}${i}`);
  }
  if (new Set(layers).size !== layers.length) throw new Error(`feature layers repeat: ${layers.join(", ")}`);
  return names;
}

/** One symmetry of the square of a [B, s, s, 3] batch: k & 3 quarter turns, then a flip when k & 4. */
function symmetry(x: tf.Tensor4D, k: number): tf.Tensor4D {
  let y = x;
  for (let t = 0; t < (k & 3); t++) y = tf.reverse(tf.transpose(y, [0, 2, 1, 3]), 1) as tf.Tensor4D;
  return (k & 4 ? tf.reverse(y, 2) : y) as tf.Tensor4D;
}

/**
 * The features of D for crops [N, s, s, 3] in [−1, 1] (NHWC): [N, d], row-major, with d the length of
 * {@link featureNames}.
 */
export async function encodeFeatures(
  gan: Gan,
  crops: Float32Array,
  options: EncodeOptions = {},
): Promise<Float32Array> {
  const s = gan.config.size, px = s * s * 3;
  const layers = options.layers ?? ["latent"];
  const d = featureNames(gan, layers).length;
  const k = options.symmetries ?? 1;
  if (k !== 1 && k !== 8) throw new Error(`symmetries must be 1 or 8, got ${k}`);
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
    const features = tf.tidy(() => {
      let x = tf.tensor4d(crops.subarray(i * px, (i + b) * px), [b, s, s, 3]);
      if (noise) x = tf.add(x, tf.tensor4d(noise, [b, s, s, 3]));
      let sum: tf.Tensor2D | null = null;
      for (let t = 0; t < k; t++) {
        const xt = symmetry(x, t);
        const parts = layers.map((l) =>
          l === "latent"
            ? gan.profile(xt)
            : l === "critic"
            ? gan.discriminate(xt).latent
            : gan.pooledFeatures(xt)
        );
        const f = (parts.length === 1 ? parts[0] : tf.concat(parts, 1)) as tf.Tensor2D; // [b, d]
        sum = sum ? tf.add(sum, f) : f;
      }
      return k === 1 ? sum! : tf.div(sum!, k) as tf.Tensor2D;
    });
    out.set(await features.data() as Float32Array, i * d);
    features.dispose();
    options.onProgress?.(i + b, n);
  }
  return out;
}

/** The 100-d profiles ({@link Gan.profile}) of crops [N, s, s, 3] in [−1, 1] (NHWC): [N, 100], row-major. */
export function encodeLatents(
  gan: Gan,
  crops: Float32Array,
  options: Omit<EncodeOptions, "layers" | "symmetries"> = {},
): Promise<Float32Array> {
  return encodeFeatures(gan, crops, { ...options, layers: ["latent"], symmetries: 1 });
}
