/**
 * The GAN of Goldsborough et al. (2017), as in the authors' code (cytogan), scaled to the crop size s (a
 * multiple of 8) and to a width multiplier w (w = 1 is the paper's network; the quick profile uses w < 1).
 * Shape comments are for s = 96, w = 1, batch B. Images are NHWC in [−1, 1].
 *
 * Generator  z [B, 100] ~ N(0, I)
 *   dense                      → [B, 12, 12, 256]   (no bias: batch norm follows)
 *   batch norm, LeakyReLU(0.2)
 *   3 × [2× nearest upsample (or bilinear: `upsample`), 5×5 conv (128, 64, 32), batch norm, LeakyReLU(0.2)]
 *                              → [B, 24, 24, 128] → [B, 48, 48, 64] → [B, 96, 96, 32]
 *   5×5 conv to 3, tanh        → [B, 96, 96, 3]
 *
 * Discriminator  x [B, 96, 96, 3]
 *   + N(0, 0.1²) noise (training only, unless asked)
 *   5×5 conv 32 stride 1, LeakyReLU → [B, 96, 96, 32]
 *   5×5 conv 64 stride 2, LeakyReLU → [B, 48, 48, 64]
 *   5×5 conv 128 stride 2, LeakyReLU → [B, 24, 24, 128]
 *   5×5 conv 256 stride 2, LeakyReLU → [B, 12, 12, 256]
 *   flatten → dense 100, linear: `latent`, the cell profile → [B, 100]
 *   dense 1 → logit [B, 1] (DCGAN: sigmoid(logit) is the probability "real"; LSGAN, WGAN: the output)
 *
 * The VAE (loss `vae`; Pawlowski's baseline, as the paper cites it) is the same two networks, not adversarial:
 * D's body is the encoder, its `latent` layer the mean μ and a second dense head `logvar` beside it log σ²
 * ([B, 100] each; no `out` head), and G the decoder of z = μ + σ·ε (see lib/models/losses.ts's vaeLoss).
 *
 * The BiGAN (loss `bigan`; Donahue et al. 2016, ALI; the authors' repository trained one after the paper) adds
 * an encoder E: x → z with D's convolutional body (its own weights, `e/…`, no input noise) and a linear
 * `e/latent` [B, 100], batch-normalised without scale or shift (`e/bn`: batch statistics in training, the
 * moving ones in inference): E(x), the cell profile. The normalisation gives each code dimension the prior's
 * mean 0 and variance 1 over a batch; without it, D told real pairs from fake ones by the codes' scale and E's
 * codes ran away (‖E(x)‖ from about 10 to 4,000 within 200 steps on the quick profile, the prior's ≈ 10). Its
 * D judges (x, z) pairs:
 *   D's four convolutions on x (+ noise), flattened      → [B, 36864]
 *   concatenated with z                                  → [B, 36964]
 *   dense 100, linear: `latent` (D's view of the pair)   → [B, 100]
 *   LeakyReLU, dense 1 → logit                           → [B, 1]
 * (the LeakyReLU lets D weigh x and z jointly: without it the logit would be a sum of a term in x and one in
 * z, blind to whether z encodes x). Real pairs are (x, E(x)), fake ones (G(z), z).
 *
 * Batch norm: momentum 0.9, ε 1e-3; training uses batch statistics (and updates the moving ones via
 * {@link Gan.updateBatchNorm}), inference the moving ones. Upsample + conv runs as one low-resolution
 * convolution ({@link upsampleConv2x}): same function, 2.8× fewer operations. Weights: Glorot-uniform
 * kernels, zero biases, γ = 1, β = 0 (Keras defaults), drawn from a seeded {@link Rng}.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "./rng.ts";
import { upsampleConv2x, type Upsampling, UPSAMPLINGS } from "./upsample_conv.ts";

/**
 * The three adversarial losses of the paper, the VAE's (reconstruction and KL divergence) and the BiGAN's
 * (least squares on (x, z) pairs).
 */
export type GanLoss = "dcgan" | "lsgan" | "wgan" | "vae" | "bigan";
/** The adversarial losses of a D that judges images alone. */
export const GAN_LOSSES: readonly Exclude<GanLoss, "vae" | "bigan">[] = ["dcgan", "lsgan", "wgan"];
/** Every loss a network of this file trains with. */
export const MODEL_LOSSES: readonly GanLoss[] = [...GAN_LOSSES, "vae", "bigan"];

/** Whether a network of this loss has an encoder of x into z (VAE: μ; BiGAN: E). */
export function hasEncoder(loss: GanLoss): boolean {
  return loss === "vae" || loss === "bigan";
}

/** Everything that fixes the network's shapes and fixed hyper-parameters. */
export interface GanConfig {
  /** which loss the network is trained with (only changes how the output is read) */
  loss: GanLoss;
  /** crop side s in pixels; a multiple of 8 */
  size: number;
  /** width multiplier w: channel counts are max(1, round(c·w)) */
  width: number;
  /** dimension of z (100) */
  latentDim: number;
  /** dimension of the `latent` layer of D (100) */
  featureDim: number;
  /** std of D's additive input noise (0.1) */
  inputNoise: number;
  /** LeakyReLU slope (0.2) */
  leak: number;
  /** batch-norm momentum (0.9) and ε (1e-3) */
  bnMomentum: number;
  bnEpsilon: number;
  /** convolution kernel size (5) */
  kernel: number;
  /** G's 2× upsampling before each convolution: `nearest` (the authors') or `bilinear` (upsample_conv.ts) */
  upsample: Upsampling;
}

/** The paper's defaults, for a given loss and size. */
export function ganConfig(partial: Partial<GanConfig> & Pick<GanConfig, "loss" | "size">): GanConfig {
  const c: GanConfig = {
    width: 1,
    latentDim: 100,
    featureDim: 100,
    inputNoise: 0.1,
    leak: 0.2,
    bnMomentum: 0.9,
    bnEpsilon: 1e-3,
    kernel: 5,
    upsample: "nearest",
    ...partial,
  };
  if (!UPSAMPLINGS.includes(c.upsample)) {
    throw new Error(`unknown upsampling '${c.upsample}': expected ${UPSAMPLINGS.join(", ")}`);
  }
  if (!MODEL_LOSSES.includes(c.loss)) {
    throw new Error(`unknown loss '${c.loss}': expected ${MODEL_LOSSES.join(", ")}`);
  }
  if (!Number.isInteger(c.size) || c.size < 8 || c.size % 8 !== 0) {
    throw new Error(`crop size must be a positive multiple of 8, got ${c.size}`);
  }
  if (!(c.width > 0)) throw new Error(`width multiplier must be > 0, got ${c.width}`);
  if (c.kernel % 2 !== 1) throw new Error(`kernel size must be odd, got ${c.kernel}`);
  for (const k of ["latentDim", "featureDim"] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new Error(`${k} must be a positive integer, got ${c[k]}`);
  }
  if (c.loss === "vae" && c.featureDim !== c.latentDim) {
    throw new Error(
      `a VAE's latent layer is μ of z: featureDim ${c.featureDim} must equal latentDim ${c.latentDim}`,
    );
  }
  return c;
}

/** Channel counts: G's [dense, up1, up2, up3] and D's [conv0..conv3]. */
export function channels(c: GanConfig): { g: number[]; d: number[] } {
  const ch = (n: number) => Math.max(1, Math.round(n * c.width));
  return { g: [256, 128, 64, 32].map(ch), d: [32, 64, 128, 256].map(ch) };
}

/** A named weight: trainable parameters and batch-norm moving statistics alike. */
export interface WeightSpec {
  name: string;
  shape: number[];
  /** how it starts: Glorot-uniform with these fans, or a constant */
  init: { glorot: [number, number] } | { constant: number };
  trainable: boolean;
}

/** The ordered list of every weight of a GAN with this config (G first, then D, then a BiGAN's E). */
export function weightSpecs(c: GanConfig): WeightSpec[] {
  const { g, d } = channels(c);
  const k = c.kernel, s0 = c.size / 8;
  const specs: WeightSpec[] = [];
  const kernel = (name: string, shape: number[], fanIn: number, fanOut: number) =>
    specs.push({ name, shape, init: { glorot: [fanIn, fanOut] }, trainable: true });
  const constant = (name: string, n: number, v: number, trainable = true) =>
    specs.push({ name, shape: [n], init: { constant: v }, trainable });
  const bn = (name: string, n: number) => {
    constant(`${name}/gamma`, n, 1);
    constant(`${name}/beta`, n, 0);
    constant(`${name}/moving_mean`, n, 0, false);
    constant(`${name}/moving_variance`, n, 1, false);
  };
  kernel("g/dense/kernel", [c.latentDim, s0 * s0 * g[0]], c.latentDim, s0 * s0 * g[0]);
  bn("g/bn0", g[0]);
  for (let i = 1; i <= 3; i++) {
    kernel(`g/conv${i}/kernel`, [k, k, g[i - 1], g[i]], k * k * g[i - 1], k * k * g[i]);
    bn(`g/bn${i}`, g[i]);
  }
  kernel("g/out/kernel", [k, k, g[3], 3], k * k * g[3], k * k * 3);
  constant("g/out/bias", 3, 0);
  const convolutions = (net: "d" | "e") => {
    let cin = 3;
    for (let i = 0; i < 4; i++) {
      kernel(`${net}/conv${i}/kernel`, [k, k, cin, d[i]], k * k * cin, k * k * d[i]);
      constant(`${net}/conv${i}/bias`, d[i], 0);
      cin = d[i];
    }
  };
  const flat = s0 * s0 * d[3];
  convolutions("d");
  if (c.loss === "bigan") {
    kernel("d/latent/kernel", [flat + c.latentDim, c.featureDim], flat + c.latentDim, c.featureDim);
    constant("d/latent/bias", c.featureDim, 0);
    kernel("d/out/kernel", [c.featureDim, 1], c.featureDim, 1);
    constant("d/out/bias", 1, 0);
    convolutions("e");
    kernel("e/latent/kernel", [flat, c.latentDim], flat, c.latentDim);
    constant("e/latent/bias", c.latentDim, 0);
    constant("e/bn/moving_mean", c.latentDim, 0, false);
    constant("e/bn/moving_variance", c.latentDim, 1, false);
    return specs;
  }
  kernel("d/latent/kernel", [flat, c.featureDim], flat, c.featureDim);
  constant("d/latent/bias", c.featureDim, 0);
  if (c.loss === "vae") {
    kernel("d/logvar/kernel", [flat, c.latentDim], flat, c.latentDim);
    constant("d/logvar/bias", c.latentDim, 0);
    return specs;
  }
  kernel("d/out/kernel", [c.featureDim, 1], c.featureDim, 1);
  constant("d/out/bias", 1, 0);
  return specs;
}

/** Batch statistics of one G forward pass in training mode, per batch-norm layer (kept tensors). */
export type BatchStats = { mean: tf.Tensor1D; variance: tf.Tensor1D }[];

/** A generator and a discriminator with their weights as tf variables. */
export class Gan {
  /** The network's configuration. */
  readonly config: GanConfig;
  /** Every weight by name, in {@link weightSpecs} order. */
  readonly weights: Map<string, tf.Variable>;
  readonly #specs: WeightSpec[];

  /**
   * @param config see {@link ganConfig}
   * @param values initial values by name; when absent, drawn from `seed`
   * @param seed seed of the initial weights (default 0)
   */
  constructor(config: GanConfig, values?: Map<string, Float32Array>, seed = 0) {
    this.config = config;
    this.#specs = weightSpecs(config);
    this.weights = new Map();
    const rng = new Rng(seed);
    for (const spec of this.#specs) {
      const n = spec.shape.reduce((a, b) => a * b, 1);
      let v = values?.get(spec.name);
      if (values && !v) throw new Error(`missing weight '${spec.name}'`);
      if (v && v.length !== n) {
        throw new Error(`weight '${spec.name}' has ${v.length} values, expected ${n} for [${spec.shape}]`);
      }
      if (!v) {
        v = new Float32Array(n);
        if ("glorot" in spec.init) {
          const limit = Math.sqrt(6 / (spec.init.glorot[0] + spec.init.glorot[1]));
          rng.fillUniform(v, -limit, limit);
        } else v.fill(spec.init.constant);
      }
      const init = v;
      this.weights.set(
        spec.name,
        tf.tidy(() => tf.variable(tf.tensor(init, spec.shape), spec.trainable, uniqueName(spec.name))),
      );
    }
  }

  /** The weight specs, in order. */
  get specs(): readonly WeightSpec[] {
    return this.#specs;
  }

  /** G's trainable variables. */
  generatorVariables(): tf.Variable[] {
    return this.#specs.filter((s) => s.trainable && s.name.startsWith("g/")).map((s) => this.w(s.name));
  }

  /** D's trainable variables. */
  discriminatorVariables(): tf.Variable[] {
    return this.#specs.filter((s) => s.trainable && s.name.startsWith("d/")).map((s) => this.w(s.name));
  }

  /** A BiGAN's encoder's trainable variables (none for the other losses). */
  encoderVariables(): tf.Variable[] {
    return this.#specs.filter((s) => s.trainable && s.name.startsWith("e/")).map((s) => this.w(s.name));
  }

  /** One weight by name. */
  w(name: string): tf.Variable {
    const v = this.weights.get(name);
    if (!v) throw new Error(`no weight '${name}'`);
    return v;
  }

  /**
   * The generator. In training mode batch norm uses batch statistics, pushed to `stats` (kept tensors the
   * caller disposes) for {@link updateBatchNorm}; otherwise the moving statistics.
   *
   * @param z [B, latentDim]
   * @returns images [B, s, s, 3] in (−1, 1)
   */
  generate(z: tf.Tensor2D, training = false, stats?: BatchStats): tf.Tensor4D {
    const c = this.config, s0 = c.size / 8, { g } = channels(c);
    const bnAct = (x: tf.Tensor4D, name: string) => this.#batchNormLeaky(x, name, training, stats);
    return tf.tidy(() => {
      let h = tf.matMul(z, this.w("g/dense/kernel")).reshape([-1, s0, s0, g[0]]) as tf.Tensor4D; // [B, 12, 12, 256]
      h = bnAct(h, "g/bn0");
      const up = (x: tf.Tensor4D, i: number) =>
        upsampleConv2x(x, this.w(`g/conv${i}/kernel`) as tf.Tensor4D, c.upsample);
      h = bnAct(up(h, 1), "g/bn1"); // [B, 24, 24, 128]
      h = bnAct(up(h, 2), "g/bn2"); // [B, 48, 48, 64]
      h = bnAct(up(h, 3), "g/bn3"); // [B, 96, 96, 32]
      const out = tf.conv2d(h, this.w("g/out/kernel") as tf.Tensor4D, 1, "same"); // [B, 96, 96, 3]
      return tf.tanh(tf.add(out, this.w("g/out/bias")));
    });
  }

  #batchNormLeaky(x: tf.Tensor4D, name: string, training: boolean, stats?: BatchStats): tf.Tensor4D {
    const c = this.config;
    let mean: tf.Tensor1D, variance: tf.Tensor1D;
    if (training) {
      const m = tf.moments(x, [0, 1, 2]);
      mean = m.mean as tf.Tensor1D;
      variance = m.variance as tf.Tensor1D;
      if (stats) stats.push({ mean: tf.keep(mean), variance: tf.keep(variance) });
    } else {
      mean = this.w(`${name}/moving_mean`) as tf.Tensor1D;
      variance = this.w(`${name}/moving_variance`) as tf.Tensor1D;
    }
    // y = (x − μ)·γ/√(σ² + ε) + β = x·scale + shift, with the per-channel scale and shift computed first.
    const scale = tf.mul(this.w(`${name}/gamma`), tf.rsqrt(tf.add(variance, c.bnEpsilon)));
    const shift = tf.sub(this.w(`${name}/beta`), tf.mul(mean, scale));
    return tf.leakyRelu(tf.add(tf.mul(x, scale), shift), c.leak);
  }

  /**
   * Moves the batch-norm moving statistics toward a training pass's batch statistics, then disposes them: G's
   * four layers (default), or the layers named (a BiGAN's encoder: `["e/bn"]`).
   */
  updateBatchNorm(stats: BatchStats, names = ["g/bn0", "g/bn1", "g/bn2", "g/bn3"]): void {
    const m = this.config.bnMomentum;
    if (stats.length !== names.length) {
      throw new Error(`expected ${names.length} batch statistics, got ${stats.length}`);
    }
    tf.tidy(() => {
      stats.forEach((s, i) => {
        const mm = this.w(`${names[i]}/moving_mean`), mv = this.w(`${names[i]}/moving_variance`);
        mm.assign(tf.add(tf.mul(mm, m), tf.mul(s.mean, 1 - m)));
        mv.assign(tf.add(tf.mul(mv, m), tf.mul(s.variance, 1 - m)));
      });
    });
    for (const s of stats) tf.dispose([s.mean, s.variance]);
  }

  /**
   * The discriminator. A BiGAN's judges the pair (x, z), with z = E(x) when not given.
   *
   * @param x [B, s, s, 3] in [−1, 1]
   * @param noise optional [B, s, s, 3] added to x first (the training-time N(0, 0.1²) input noise)
   * @param z a BiGAN's codes [B, latentDim] paired with x (ignored by the other losses)
   * @returns logit [B, 1] and latent [B, featureDim] (D's `latent` layer)
   */
  discriminate(
    x: tf.Tensor4D,
    noise?: tf.Tensor4D,
    z?: tf.Tensor2D,
  ): { logit: tf.Tensor2D; latent: tf.Tensor2D } {
    const loss = this.config.loss;
    return tf.tidy(() => {
      let flat = this.#flat(noise ? tf.add(x, noise) as tf.Tensor4D : x, "d"); // [B, 36864]
      if (loss === "bigan") flat = tf.concat([flat, z ?? this.encodeBigan(x)], 1); // [B, 36964]
      const latent = tf.add(
        tf.matMul(flat, this.w("d/latent/kernel")),
        this.w("d/latent/bias"),
      ) as tf.Tensor2D; // [B, 100]
      // A VAE's encoder has no critic head: its logit is 0. A BiGAN's head is nonlinear (see the module).
      const head = loss === "bigan" ? tf.leakyRelu(latent, this.config.leak) : latent;
      const logit = loss === "vae"
        ? tf.zeros([x.shape[0], 1]) as tf.Tensor2D
        : tf.add(tf.matMul(head, this.w("d/out/kernel")), this.w("d/out/bias")) as tf.Tensor2D; // [B, 1]
      return { logit, latent };
    });
  }

  /**
   * The VAE's encoder: q(z | x) = N(μ, diag σ²).
   *
   * @param x [B, s, s, 3] in [−1, 1]
   * @returns mu [B, latentDim] (the `latent` layer: the cell profile) and logvar = log σ² [B, latentDim]
   */
  encode(x: tf.Tensor4D): { mu: tf.Tensor2D; logvar: tf.Tensor2D } {
    if (this.config.loss !== "vae") {
      throw new Error(`encode: a ${this.config.loss} network has no VAE encoder`);
    }
    return tf.tidy(() => {
      const flat = this.#flat(x, "d"); // [B, 36864]
      const mu = tf.add(tf.matMul(flat, this.w("d/latent/kernel")), this.w("d/latent/bias")) as tf.Tensor2D;
      const logvar = tf.add(
        tf.matMul(flat, this.w("d/logvar/kernel")),
        this.w("d/logvar/bias"),
      ) as tf.Tensor2D;
      return { mu, logvar }; // [B, 100] each
    });
  }

  /**
   * The BiGAN's encoder E. In training mode its output is normalised by the batch's statistics, pushed to
   * `stats` (kept tensors, for {@link updateBatchNorm} with `["e/bn"]`); otherwise by the moving ones.
   *
   * @param x [B, s, s, 3] in [−1, 1]
   * @returns E(x) [B, latentDim]
   */
  encodeBigan(x: tf.Tensor4D, training = false, stats?: BatchStats): tf.Tensor2D {
    if (this.config.loss !== "bigan") throw new Error(`encodeBigan: a ${this.config.loss} network has no E`);
    const eps = this.config.bnEpsilon;
    return tf.tidy(() => {
      const h = tf.add(tf.matMul(this.#flat(x, "e"), this.w("e/latent/kernel")), this.w("e/latent/bias")); // [B, 100]
      let mean: tf.Tensor, variance: tf.Tensor;
      if (training) {
        ({ mean, variance } = tf.moments(h, 0));
        if (stats) {
          stats.push({ mean: tf.keep(mean) as tf.Tensor1D, variance: tf.keep(variance) as tf.Tensor1D });
        }
      } else {
        mean = this.w("e/bn/moving_mean");
        variance = this.w("e/bn/moving_variance");
      }
      return tf.mul(tf.sub(h, mean), tf.rsqrt(tf.add(variance, eps))) as tf.Tensor2D; // [B, 100]
    });
  }

  /**
   * A real cell's code in G's latent space, for reconstructions G(code) and latent arithmetic on real cells:
   * the VAE's μ, the BiGAN's E(x). The other losses have no encoder (throws).
   *
   * @param x [B, s, s, 3] in [−1, 1]
   * @returns [B, latentDim]
   */
  inferLatent(x: tf.Tensor4D): tf.Tensor2D {
    const loss = this.config.loss;
    if (loss === "vae") return tf.tidy(() => this.encode(x).mu);
    if (loss === "bigan") return this.encodeBigan(x);
    throw new Error(`inferLatent: a ${loss} network has no encoder of x into z`);
  }

  /**
   * The model's cell profile [B, featureDim or latentDim], the paper's 100-d features: D's `latent` layer for a
   * GAN, μ for the VAE (the same layer), E(x) for the BiGAN.
   *
   * @param x [B, s, s, 3] in [−1, 1]
   */
  profile(x: tf.Tensor4D): tf.Tensor2D {
    return this.config.loss === "bigan" ? this.encodeBigan(x) : this.discriminate(x).latent;
  }

  /** D's (or E's) last convolution, flattened: [B, (s/8)² · 256]. */
  #flat(x: tf.Tensor4D, net: "d" | "e"): tf.Tensor2D {
    const h = this.#convolutions(x, net).at(-1)!; // [B, 12, 12, 256]
    return tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D;
  }

  /**
   * The profile network's four convolutional layers (D's; a BiGAN's E's), each averaged over the image:
   * [B, Σ channels] (32 + 64 + 128 + 256 = 480 at w = 1). A profile of the whole hierarchy, from local texture
   * to cell shape, that does not depend on where in the crop a pattern lies (the `latent` layer weighs every
   * position separately).
   *
   * @param x [B, s, s, 3] in [−1, 1]
   */
  pooledFeatures(x: tf.Tensor4D): tf.Tensor2D {
    const net = this.config.loss === "bigan" ? "e" : "d";
    return tf.tidy(() =>
      tf.concat(this.#convolutions(x, net).map((h) => tf.mean(h, [1, 2])), 1) as tf.Tensor2D
    );
  }

  /** D's (or E's) convolution stack: the activations of each layer. */
  #convolutions(x: tf.Tensor4D, net: "d" | "e"): tf.Tensor4D[] {
    const c = this.config;
    const conv = (h: tf.Tensor4D, i: number, stride: number) =>
      tf.leakyRelu(
        tf.add(
          tf.conv2d(h, this.w(`${net}/conv${i}/kernel`) as tf.Tensor4D, stride, "same"),
          this.w(`${net}/conv${i}/bias`),
        ),
        c.leak,
      ) as tf.Tensor4D;
    const h0 = conv(x, 0, 1); // [B, 96, 96, 32]
    const h1 = conv(h0, 1, 2); // [B, 48, 48, 64]
    const h2 = conv(h1, 2, 2); // [B, 24, 24, 128]
    const h3 = conv(h2, 3, 2); // [B, 12, 12, 256]
    return [h0, h1, h2, h3];
  }

  /** Every weight's current values by name (a copy). */
  async values(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const [name, v] of this.weights) out.set(name, new Float32Array(await v.data() as Float32Array));
    return out;
  }

  /** Frees the variables. */
  dispose(): void {
    for (const v of this.weights.values()) v.dispose();
    this.weights.clear();
  }
}

let counter = 0;
function uniqueName(name: string): string {
  // tf variable names must be unique in the engine; several GANs may coexist (tests, resume).
  return `morphogan_${counter++}/${name}`;
}
