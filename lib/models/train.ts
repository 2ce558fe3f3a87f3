/**
 * One training loop for the three GANs (DCGAN, LSGAN, WGAN-GP), as in the authors' code: each step
 * generates a fake batch with G's batch norm in inference mode, takes one D step on [fake; real], then one
 * G step. Adam with β₁ = 0.5; the learning rates decay ×0.9999 every 100 G steps (staircase).
 *
 * The same loop trains the two models with an encoder, each step a named variant: the VAE (`#vaeStep`: one
 * update of encoder and decoder on reconstruction + β·KL) and the BiGAN (`#biganStep`: one D step on the
 * pairs [(G(z), z); (x, E(x))], then one step of G and E, each on its own Adam, E at G's rate).
 *
 * Everything random (initial weights, z, D's input noise, label smoothing, WGAN's ε, batch order) comes
 * from seeded {@link Rng}s, so a run is deterministic for a seed on a given backend, and a checkpoint
 * (weights, Adam moments, step, RNG state, loss curves) resumes it bit for bit.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Adam } from "./adam.ts";
import { readCheckpoint, type StoredTensor, writeCheckpoint } from "./checkpoint.ts";
import { type BatchStats, Gan, type GanConfig, ganConfig, type GanLoss } from "./gan.ts";
import type { Upsampling } from "./upsample_conv.ts";
import { criticLoss, discriminatorLoss, generatorLoss, gradientPenalty, vaeLoss } from "./losses.ts";
import { Rng, type RngState } from "./rng.ts";
import { type Augmentation, AUGMENTATIONS, DEFAULT_LEARNING_RATES } from "./hyperparams.ts";

export { type Augmentation, AUGMENTATIONS, DEFAULT_LEARNING_RATES };

/** Hyper-parameters of a training run. Those marked (identity) must match to resume a checkpoint. */
export interface TrainSettings {
  /** (identity) the loss */
  loss: GanLoss;
  /** (identity) crop side s, a multiple of 8 */
  size: number;
  /** (identity) width multiplier (default 1: the paper's network) */
  width: number;
  /** (identity) batch size (default 64) */
  batchSize: number;
  /** (identity) seed of weights and of every random draw (default 0) */
  seed: number;
  /** (identity) D's and G's initial learning rates (default {@link DEFAULT_LEARNING_RATES}) */
  lrD: number;
  lrG: number;
  /** (identity) Adam β₁ (0.5; the VAE's 0.9), β₂ (0.999), ε (1e-7, as Keras) */
  beta1: number;
  beta2: number;
  epsilon: number;
  /** (identity) learning rates × `lrDecay` (0.9999) every `lrDecayEvery` (100) G steps */
  lrDecay: number;
  lrDecayEvery: number;
  /** (identity) WGAN-GP's λ (10) */
  gpWeight: number;
  /** (identity) the VAE's β: loss = reconstruction + β·KL (1) */
  klWeight: number;
  /** (identity) DCGAN/LSGAN real labels ~ U(lo, hi) (default [0.8, 1]) */
  realLabelRange: [number, number];
  /** (identity) std of D's input noise (default 0.1, the authors'; the VAE's encoder: 0) */
  inputNoise: number;
  /** (identity) augmentation of the real crops (default `none`; see {@link Augmentation}) */
  augment: Augmentation;
  /** (identity) G's upsampling (default `nearest`, the authors'; lib/models/upsample_conv.ts) */
  upsample: Upsampling;
}

/** Options of {@link train}: settings plus how long, where to checkpoint, and callbacks. */
export interface TrainOptions extends Partial<TrainSettings> {
  loss: GanLoss;
  size: number;
  /** total number of steps (one D and one G update each); training resumed from a checkpoint stops here too */
  steps: number;
  /** directory for `checkpoint.bin`; when it holds one with the same settings, training resumes from it */
  checkpointDir?: string;
  /** save a checkpoint every this many steps (default 100), and at the end and on abort */
  checkpointEvery?: number;
  /** called after every step */
  onProgress?: (p: TrainProgress) => void;
  /** called with G's samples of a fixed z (inference mode) every `sampleEvery` steps and at the end */
  onSamples?: (
    step: number,
    images: Float32Array,
    shape: [number, number, number, number],
  ) => void | Promise<void>;
  sampleEvery?: number;
  /** number of fixed samples (default 64) */
  sampleCount?: number;
  /** stops between steps (after saving a checkpoint); the promise rejects with the signal's reason */
  signal?: AbortSignal;
  /** a loss whose absolute value exceeds this (default 1e6), or is NaN, stops training with an error */
  maxAbsLoss?: number;
}

/**
 * Losses of one step. `gap` (critic E[D(real)] − E[D(fake)]) and `gp` for WGAN only; `eLoss` (the encoder's)
 * for the BiGAN only.
 */
export interface StepLosses {
  dLoss: number;
  gLoss: number;
  gap?: number;
  gp?: number;
  eLoss?: number;
}

/** Progress after a step. */
export interface TrainProgress extends StepLosses {
  step: number;
  steps: number;
  stepsPerSecond: number;
  etaSeconds: number;
}

/** Per-step loss curves (index i is step `step[i]`, 1-based). */
export interface LossCurves {
  step: number[];
  dLoss: number[];
  gLoss: number[];
  gap: number[];
  gp: number[];
  /** the BiGAN's encoder loss (absent in curves of the other losses and of older runs) */
  eLoss?: number[];
  /** seconds since the start of training (summed over resumed sessions) */
  seconds: number[];
}

/** What {@link train} returns; the caller saves (`saveGan`) and disposes `gan`. */
export interface TrainResult {
  gan: Gan;
  settings: TrainSettings;
  curves: LossCurves;
  /** the step a checkpoint resumed from, or null */
  resumedFrom: number | null;
  /** steps run in this call and the seconds they took */
  stepsRun: number;
  seconds: number;
}

/** Training stopped because a loss became NaN, infinite, or too large. */
export class TrainingDivergedError extends Error {
  /** @param step the step whose losses diverged */
  constructor(readonly step: number, readonly losses: StepLosses, lastCheckpoint: number | null) {
    super(
      `training diverged at step ${step}: D loss ${losses.dLoss}, G loss ${losses.gLoss}; ` +
        (lastCheckpoint === null
          ? "no checkpoint was saved"
          : `the last good checkpoint is step ${lastCheckpoint}`),
    );
    this.name = "TrainingDivergedError";
  }
}

/** Fills in defaults and validates. */
export function trainSettings(
  o: Partial<TrainSettings> & Pick<TrainSettings, "loss" | "size">,
): TrainSettings {
  const lr = DEFAULT_LEARNING_RATES[o.loss];
  if (!lr) throw new Error(`unknown loss '${o.loss}'`);
  const s: TrainSettings = {
    loss: o.loss,
    size: o.size,
    width: o.width ?? 1,
    batchSize: o.batchSize ?? 64,
    seed: o.seed ?? 0,
    lrD: o.lrD ?? lr.d,
    lrG: o.lrG ?? lr.g,
    beta1: o.beta1 ?? (o.loss === "vae" ? 0.9 : 0.5),
    beta2: o.beta2 ?? 0.999,
    epsilon: o.epsilon ?? 1e-7,
    lrDecay: o.lrDecay ?? 0.9999,
    lrDecayEvery: o.lrDecayEvery ?? 100,
    gpWeight: o.gpWeight ?? 10,
    klWeight: o.klWeight ?? 1,
    realLabelRange: o.realLabelRange ?? [0.8, 1],
    inputNoise: o.inputNoise ?? (o.loss === "vae" ? 0 : 0.1),
    augment: o.augment ?? "none",
    upsample: o.upsample ?? "nearest",
  };
  if (!AUGMENTATIONS.includes(s.augment)) {
    throw new Error(`augment must be one of ${AUGMENTATIONS.join(", ")}, got '${s.augment}'`);
  }
  if (!(s.inputNoise >= 0)) throw new Error(`inputNoise must be ≥ 0, got ${s.inputNoise}`);
  if (!(s.klWeight >= 0)) throw new Error(`klWeight must be ≥ 0, got ${s.klWeight}`);
  if (!Number.isInteger(s.batchSize) || s.batchSize < 1) {
    throw new Error(`batchSize must be ≥ 1, got ${s.batchSize}`);
  }
  for (const k of ["lrD", "lrG", "lrDecay", "lrDecayEvery"] as const) {
    if (!(s[k] > 0)) throw new Error(`${k} must be > 0, got ${s[k]}`);
  }
  ganConfig({ loss: s.loss, size: s.size, width: s.width, inputNoise: s.inputNoise, upsample: s.upsample }); // validates
  return s;
}

/** Meta of a checkpoint file. */
/**
 * One step's random draws (see `GanTrainer.runStep`; for the VAE, `zD` is ε and `noiseD` [B] images; for the
 * BiGAN, `noiseG` is D's noise on the G and E step's 2B pairs).
 */
interface StepDraws {
  realData: Float32Array;
  zD: Float32Array;
  noiseD: Float32Array | null;
  labels: Float32Array | null;
  eps: Float32Array | null;
  zG: Float32Array;
  noiseG: Float32Array | null;
}

/** Backends whose kernels run after the call returns (the CPU is free until the step's losses are read). */
const ASYNC_BACKENDS = new Set(["webgpu"]);

/**
 * Whether a step on an asynchronous backend draws the next step's random numbers while the device computes
 * (default true; benchmarks switch it off to measure it). It never changes the numbers drawn.
 */
export const drawAhead = { enabled: true };

interface CheckpointMeta {
  version: 1;
  settings: TrainSettings;
  config: GanConfig;
  step: number;
  rng: RngState;
  epoch: { seed: number; pos: number };
  adamT: { d: number; g: number; e?: number };
  curves: LossCurves;
}

/**
 * A GAN, its two optimisers and its random state: {@link step} runs one training step. {@link train} drives
 * it; benchmarks use it directly.
 */
export class GanTrainer {
  readonly settings: TrainSettings;
  readonly gan: Gan;
  /** steps done */
  step = 0;
  readonly curves: LossCurves = { step: [], dLoss: [], gLoss: [], gap: [], gp: [], seconds: [] };
  readonly #crops: Float32Array;
  readonly #n: number;
  readonly #adamD: Adam;
  readonly #adamG: Adam;
  /** The BiGAN's encoder's optimiser (null for the other losses). */
  readonly #adamE: Adam | null;
  #rng: Rng;
  #epoch = { seed: 0, pos: 0 };
  #perm: Uint32Array;
  /** The next step's draws, made ahead (see {@link runStep}), and the generator's state before them. */
  #next: { draws: StepDraws; before: { rng: RngState; epoch: { seed: number; pos: number } } } | null = null;

  /**
   * @param crops [N, s, s, 3] in [−1, 1], NHWC
   */
  constructor(crops: Float32Array, settings: TrainSettings) {
    this.settings = settings;
    const s = settings.size, px = s * s * 3;
    if (crops.length % px !== 0 || crops.length === 0) {
      throw new Error(`crops must be a non-empty [N, ${s}, ${s}, 3] array; got ${crops.length} values`);
    }
    this.#crops = crops;
    this.#n = crops.length / px;
    if (this.#n < settings.batchSize) {
      throw new Error(`${this.#n} crops are fewer than a batch of ${settings.batchSize}`);
    }
    const config = ganConfig({
      loss: settings.loss,
      size: s,
      width: settings.width,
      inputNoise: settings.inputNoise,
      upsample: settings.upsample,
    });
    this.gan = new Gan(config, undefined, settings.seed);
    const named = (vars: tf.Variable[]) => {
      const byVar = new Map([...this.gan.weights].map(([name, v]) => [v, name]));
      return new Map(vars.map((v) => [byVar.get(v)!, v]));
    };
    const adam = (lr: number) => ({
      lr,
      beta1: settings.beta1,
      beta2: settings.beta2,
      epsilon: settings.epsilon,
    });
    this.#adamD = new Adam(named(this.gan.discriminatorVariables()), adam(settings.lrD));
    this.#adamG = new Adam(named(this.gan.generatorVariables()), adam(settings.lrG));
    const encoder = this.gan.encoderVariables();
    this.#adamE = encoder.length ? new Adam(named(encoder), adam(settings.lrG)) : null;
    this.#rng = new Rng(settings.seed ^ 0x6a09e667);
    this.#epoch = { seed: this.#rng.nextU32(), pos: 0 };
    this.#perm = new Rng(this.#epoch.seed).permutation(this.#n);
  }

  #nextBatch(): Float32Array {
    const { batchSize: B, size: s } = this.settings, px = s * s * 3;
    if (this.#epoch.pos + B > this.#n) {
      this.#epoch = { seed: this.#rng.nextU32(), pos: 0 };
      this.#perm = new Rng(this.#epoch.seed).permutation(this.#n);
    }
    const out = new Float32Array(B * px);
    // The symmetry of each crop of the epoch comes from the epoch's seed and the crop's position in it, so
    // resuming a checkpoint (which stores the epoch) draws the same ones.
    const symmetries = this.settings.augment === "dihedral"
      ? new Rng(this.#epoch.seed ^ 0x2545f491).fillUniform(new Float32Array(this.#epoch.pos + B), 0, 8)
      : null;
    for (let i = 0; i < B; i++) {
      const j = this.#perm[this.#epoch.pos + i];
      const crop = this.#crops.subarray(j * px, (j + 1) * px);
      if (symmetries) dihedral(crop, s, Math.floor(symmetries[this.#epoch.pos + i]), out.subarray(i * px));
      else out.set(crop, i * px);
    }
    this.#epoch.pos += B;
    return out;
  }

  /** Every random draw of one step, in their fixed order (the batch's epoch seed, if a new epoch starts, first). */
  #draw(): StepDraws {
    const st = this.settings, c = this.gan.config, rng = this.#rng;
    const B = st.batchSize, px = st.size * st.size * 3;
    if (st.loss === "vae") {
      // The batch, ε of the reparameterisation z = μ + σ·ε, and the encoder's input noise if any.
      return {
        realData: this.#nextBatch(),
        zD: rng.fillNormal(new Float32Array(B * c.latentDim)),
        noiseD: c.inputNoise > 0 ? rng.fillNormal(new Float32Array(B * px), c.inputNoise) : null,
        labels: null,
        eps: null,
        zG: new Float32Array(0),
        noiseG: null,
      };
    }
    // The BiGAN's G and E step shows D both halves, [(G(z), z); (x, E(x))]: noise for 2B images.
    const gImages = st.loss === "bigan" ? 2 * B : B;
    return {
      realData: this.#nextBatch(),
      zD: rng.fillNormal(new Float32Array(B * c.latentDim)),
      noiseD: c.inputNoise > 0 ? rng.fillNormal(new Float32Array(2 * B * px), c.inputNoise) : null,
      labels: st.loss === "wgan" ? null : rng.fillUniform(new Float32Array(B), ...st.realLabelRange),
      eps: st.loss === "wgan" ? rng.fillUniform(new Float32Array(B)) : null,
      zG: rng.fillNormal(new Float32Array(B * c.latentDim)),
      noiseG: c.inputNoise > 0 ? rng.fillNormal(new Float32Array(gImages * px), c.inputNoise) : null,
    };
  }

  /**
   * On a backend that computes asynchronously (a GPU), the CPU draws the next step's random numbers (at 96 px,
   * 5 million normals: ≈ 45 ms) while the device runs this one. The draws are those the next step would make,
   * in the same order; a checkpoint saves the generator as it was before them.
   */
  #drawAhead(): void {
    if (!drawAhead.enabled || !ASYNC_BACKENDS.has(tf.getBackend())) return;
    const before = { rng: this.#rng.state(), epoch: { ...this.#epoch } };
    this.#next = { draws: this.#draw(), before };
  }

  /** Runs one step (one D update, one G update) and returns its losses. */
  async runStep(): Promise<StepLosses> {
    const st = this.settings, gan = this.gan, c = gan.config;
    const B = st.batchSize, s = st.size;
    // Learning rates for this step (staircase decay on G steps done).
    const decay = Math.pow(st.lrDecay, Math.floor(this.step / st.lrDecayEvery));
    this.#adamD.config.lr = st.lrD * decay;
    this.#adamG.config.lr = st.lrG * decay;
    if (this.#adamE) this.#adamE.config.lr = st.lrG * decay;
    // All random draws of the step: drawn while the previous step computed, or now.
    const draws = this.#next?.draws ?? this.#draw();
    this.#next = null;
    const { realData, zD, noiseD, labels, eps, zG, noiseG } = draws;
    if (st.loss === "vae") return await this.#vaeStep(draws);
    if (st.loss === "bigan") return await this.#biganStep(draws);
    const loss = st.loss; // adversarial from here on

    // ---- D step on [fake; real]
    let gapT: tf.Scalar | null = null, gpT: tf.Scalar | null = null;
    const dLossT = tf.tidy(() => {
      const real = tf.tensor4d(realData, [B, s, s, 3]);
      const fake = gan.generate(tf.tensor2d(zD, [B, c.latentDim]), false); // [B, s, s, 3], BN inference
      const x = tf.concat([fake, real], 0); // [2B, s, s, 3]
      const noise = noiseD ? tf.tensor4d(noiseD, [2 * B, s, s, 3]) : undefined;
      const { value, grads } = tf.variableGrads(() => {
        const { logit } = gan.discriminate(x, noise); // [2B, 1]
        const [lf, lr] = tf.split(logit, 2, 0) as tf.Tensor2D[];
        if (loss !== "wgan") return discriminatorLoss(loss, lf, lr, tf.tensor2d(labels!, [B, 1]));
        const critic = criticLoss(lf, lr);
        const noiseReal = noise ? tf.slice(noise, [B, 0, 0, 0], [B, s, s, 3]) as tf.Tensor4D : undefined;
        const gp = gradientPenalty(
          (h) => gan.discriminate(h, noiseReal).logit,
          real,
          fake,
          tf.tensor1d(eps!),
        );
        gapT = tf.keep(tf.neg(critic));
        gpT = tf.keep(gp);
        return tf.add(critic, tf.mul(gp, st.gpWeight)) as tf.Scalar;
      }, gan.discriminatorVariables());
      this.#adamD.apply(grads);
      return value;
    });

    // ---- G step
    const stats: BatchStats = [];
    const gLossT = tf.tidy(() => {
      const z = tf.tensor2d(zG, [B, c.latentDim]);
      const noise = noiseG ? tf.tensor4d(noiseG, [B, s, s, 3]) : undefined;
      const { value, grads } = tf.variableGrads(() => {
        const fake = gan.generate(z, true, stats); // [B, s, s, 3], BN on batch statistics
        return generatorLoss(loss, gan.discriminate(fake, noise).logit);
      }, gan.generatorVariables());
      this.#adamG.apply(grads);
      return value;
    });
    gan.updateBatchNorm(stats);
    this.step++;

    this.#drawAhead();

    // The step's one read-back: its logged losses, stacked (on a GPU each read waits for the device).
    const logged = [dLossT, gLossT, gapT, gpT].filter((t): t is tf.Scalar => t !== null);
    const stacked = tf.stack(logged);
    tf.dispose(logged);
    const v = await stacked.data();
    stacked.dispose();
    const out: StepLosses = { dLoss: v[0], gLoss: v[1] };
    if (gapT) out.gap = v[2];
    if (gpT) out.gp = v[3];
    return out;
  }

  /**
   * One VAE step: encode the batch, decode z = μ + σ·ε (batch norm on batch statistics), and one Adam update
   * of the encoder (D's Adam) and the decoder (G's) on reconstruction + β·KL. Its losses are logged as
   * `dLoss` = the reconstruction error and `gLoss` = the KL divergence.
   */
  async #vaeStep(draws: StepDraws): Promise<StepLosses> {
    const st = this.settings, gan = this.gan, c = gan.config;
    const B = st.batchSize, s = st.size;
    const stats: BatchStats = [];
    let reconT: tf.Scalar | null = null, klT: tf.Scalar | null = null;
    const lossT = tf.tidy(() => {
      const x = tf.tensor4d(draws.realData, [B, s, s, 3]);
      const input = draws.noiseD ? tf.add(x, tf.tensor4d(draws.noiseD, [B, s, s, 3])) as tf.Tensor4D : x;
      const eps = tf.tensor2d(draws.zD, [B, c.latentDim]);
      const vars = [...gan.discriminatorVariables(), ...gan.generatorVariables()];
      const { value, grads } = tf.variableGrads(() => {
        const { mu, logvar } = gan.encode(input); // [B, 100] each
        const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), eps)) as tf.Tensor2D; // [B, 100]
        const xHat = gan.generate(z, true, stats); // [B, s, s, 3]
        const { recon, kl } = vaeLoss(x, xHat, mu, logvar);
        reconT = tf.keep(recon);
        klT = tf.keep(kl);
        return tf.add(recon, tf.mul(kl, st.klWeight)) as tf.Scalar;
      }, vars);
      this.#adamD.apply(grads);
      this.#adamG.apply(grads);
      return value;
    });
    gan.updateBatchNorm(stats);
    this.step++;
    this.#drawAhead();
    const stacked = tf.stack([reconT!, klT!]);
    tf.dispose([lossT, reconT!, klT!]);
    const v = await stacked.data();
    stacked.dispose();
    return { dLoss: v[0], gLoss: v[1] };
  }

  /**
   * One BiGAN step: one D update on [(G(z), z); (x, E(x))] (fake pairs target 0, real ones U(0.8, 1), G's
   * batch norm in inference mode), then one update of G (target 1 on its pairs) and E (target 0 on its pairs)
   * together: the two terms share no variable, so each network's Adam takes its own gradients, as two
   * separate steps would give them. The losses are least squares (LSGAN's): with cross-entropy, E can lower
   * its loss without bound by moving E(x) far out along a direction D scores as fake, and did (on the quick
   * profile E's loss rose from 0.8 to 5,000 within 200 steps, D's and G's with it); a squared error aims E
   * at D's fake target and no further. Logged: `dLoss`, `gLoss` and `eLoss`.
   */
  async #biganStep(draws: StepDraws): Promise<StepLosses> {
    const st = this.settings, gan = this.gan, c = gan.config;
    const B = st.batchSize, s = st.size, L = c.latentDim;
    const { realData, zD, noiseD, labels, zG, noiseG } = draws;

    // ---- D step on the pairs [(G(z), z); (x, E(x))] (E's codes normalised by the batch, as it trains)
    const dLossT = tf.tidy(() => {
      const real = tf.tensor4d(realData, [B, s, s, 3]);
      const zFake = tf.tensor2d(zD, [B, L]);
      const x = tf.concat([gan.generate(zFake, false), real], 0); // [2B, s, s, 3]
      const z = tf.concat([zFake, gan.encodeBigan(real, true)], 0); // [2B, 100]
      const noise = noiseD ? tf.tensor4d(noiseD, [2 * B, s, s, 3]) : undefined;
      const { value, grads } = tf.variableGrads(() => {
        const [lf, lr] = tf.split(gan.discriminate(x, noise, z).logit, 2, 0) as tf.Tensor2D[];
        return discriminatorLoss("lsgan", lf, lr, tf.tensor2d(labels!, [B, 1]));
      }, gan.discriminatorVariables());
      this.#adamD.apply(grads);
      return value;
    });

    // ---- G and E step: each fools D the other way
    const stats: BatchStats = [], eStats: BatchStats = [];
    let gT: tf.Scalar | null = null, eT: tf.Scalar | null = null;
    const sumT = tf.tidy(() => {
      const real = tf.tensor4d(realData, [B, s, s, 3]);
      const zFake = tf.tensor2d(zG, [B, L]);
      const noise = noiseG ? tf.tensor4d(noiseG, [2 * B, s, s, 3]) : undefined;
      const vars = [...gan.generatorVariables(), ...gan.encoderVariables()];
      const { value, grads } = tf.variableGrads(() => {
        const x = tf.concat([gan.generate(zFake, true, stats), real], 0); // [2B, s, s, 3], BN on the batch
        const z = tf.concat([zFake, gan.encodeBigan(real, true, eStats)], 0); // [2B, 100]
        const [lf, lr] = tf.split(gan.discriminate(x, noise, z).logit, 2, 0) as tf.Tensor2D[];
        const g = tf.mean(tf.squaredDifference(lf, 1)) as tf.Scalar;
        const e = tf.mean(tf.square(lr)) as tf.Scalar;
        gT = tf.keep(g);
        eT = tf.keep(e);
        return tf.add(g, e) as tf.Scalar;
      }, vars);
      this.#adamG.apply(grads);
      this.#adamE!.apply(grads);
      return value;
    });
    gan.updateBatchNorm(stats);
    gan.updateBatchNorm(eStats, ["e/bn"]);
    this.step++;
    this.#drawAhead();
    const stacked = tf.stack([dLossT, gT!, eT!]);
    tf.dispose([dLossT, sumT, gT!, eT!]);
    const v = await stacked.data();
    stacked.dispose();
    return { dLoss: v[0], gLoss: v[1], eLoss: v[2] };
  }

  /** G's images for `z` [n, latentDim] in inference mode, as [n, s, s, 3]. */
  async sample(z: Float32Array): Promise<Float32Array> {
    const d = this.gan.config.latentDim;
    const t = tf.tidy(() => this.gan.generate(tf.tensor2d(z, [z.length / d, d]), false));
    const v = await t.data() as Float32Array;
    t.dispose();
    return v;
  }

  /** Saves everything needed to resume to `path` (atomically). */
  async save(path: string): Promise<void> {
    const tensors = new Map<string, StoredTensor>();
    const vals = await this.gan.values();
    for (const spec of this.gan.specs) {
      tensors.set(`w:${spec.name}`, { shape: spec.shape, values: vals.get(spec.name)! });
    }
    for (const [tag, adam] of this.#optimizers()) {
      const st = await adam.state();
      for (const [k, v] of st.tensors) tensors.set(`${tag}/${k}`, { shape: [v.length], values: v });
    }
    const meta: CheckpointMeta = {
      version: 1,
      settings: this.settings,
      config: this.gan.config,
      step: this.step,
      rng: this.#next?.before.rng ?? this.#rng.state(),
      epoch: { ...(this.#next?.before.epoch ?? this.#epoch) },
      adamT: { d: this.#adamD.t, g: this.#adamG.t, ...(this.#adamE ? { e: this.#adamE.t } : {}) },
      curves: this.curves,
    };
    await writeCheckpoint(path, meta, tensors);
  }

  /**
   * Restores a checkpoint saved by {@link save}; false when `path` does not exist. Throws when it was
   * made with other settings.
   */
  async restore(path: string): Promise<boolean> {
    const ck = await readCheckpoint(path);
    if (!ck) return false;
    const meta = ck.meta as CheckpointMeta;
    if (meta?.version !== 1) throw new Error(`${path}: unsupported checkpoint version ${meta?.version}`);
    const diff = Object.keys(this.settings).filter((k) =>
      JSON.stringify(meta.settings[k as keyof TrainSettings]) !==
        JSON.stringify(this.settings[k as keyof TrainSettings])
    );
    if (diff.length) {
      const what = diff.map((k) =>
        `${k} ${JSON.stringify(meta.settings[k as keyof TrainSettings])} → ${
          JSON.stringify(this.settings[k as keyof TrainSettings])
        }`
      );
      throw new Error(
        `${path} was made with other settings (${what.join(", ")}); delete it or use the same settings`,
      );
    }
    tf.tidy(() => {
      for (const spec of this.gan.specs) {
        const t = ck.tensors.get(`w:${spec.name}`);
        if (!t) throw new Error(`${path} lacks weight '${spec.name}'`);
        this.gan.w(spec.name).assign(tf.tensor(t.values, spec.shape));
      }
    });
    const steps: Record<string, number | undefined> = {
      adamD: meta.adamT.d,
      adamG: meta.adamT.g,
      adamE: meta.adamT.e,
    };
    for (const [tag, adam] of this.#optimizers()) {
      const t = steps[tag];
      if (t === undefined) throw new Error(`${path} lacks the state of optimiser '${tag}'`);
      const tensors = new Map<string, Float32Array>();
      for (const [k, v] of ck.tensors) {
        if (k.startsWith(`${tag}/`)) tensors.set(k.slice(tag.length + 1), v.values);
      }
      adam.setState({ t, tensors });
    }
    this.step = meta.step;
    this.#next = null;
    this.#rng = Rng.fromState(meta.rng);
    this.#epoch = { ...meta.epoch };
    this.#perm = new Rng(this.#epoch.seed).permutation(this.#n);
    Object.assign(this.curves, meta.curves);
    return true;
  }

  /** The optimisers by their checkpoint tag: D's, G's, and a BiGAN's E's. */
  #optimizers(): [string, Adam][] {
    const all: [string, Adam][] = [["adamD", this.#adamD], ["adamG", this.#adamG]];
    if (this.#adamE) all.push(["adamE", this.#adamE]);
    return all;
  }

  /** Frees the optimiser state, keeping the GAN. */
  disposeOptimizers(): void {
    for (const [, adam] of this.#optimizers()) adam.dispose();
  }

  /** Frees the GAN and optimiser state. */
  dispose(): void {
    this.gan.dispose();
    this.disposeOptimizers();
  }
}

/**
 * Writes one of the 8 symmetries of the square of an [s, s, 3] crop into `out`: `k & 3` quarter turns, then a
 * horizontal flip when `k & 4` (k = 0: the crop itself).
 */
export function dihedral(crop: Float32Array, s: number, k: number, out: Float32Array): void {
  const turns = k & 3, flip = (k & 4) !== 0;
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      // Output pixel (y, x) reads source pixel (sy, sx).
      const fx = flip ? s - 1 - x : x;
      let sy: number, sx: number;
      if (turns === 0) [sy, sx] = [y, fx];
      else if (turns === 1) [sy, sx] = [s - 1 - fx, y];
      else if (turns === 2) [sy, sx] = [s - 1 - y, s - 1 - fx];
      else [sy, sx] = [fx, s - 1 - y];
      const o = (y * s + x) * 3, i = (sy * s + sx) * 3;
      out[o] = crop[i];
      out[o + 1] = crop[i + 1];
      out[o + 2] = crop[i + 2];
    }
  }
}

/**
 * Trains a GAN on crops, checkpointing and resuming.
 *
 * @param crops [N, s, s, 3] float32 in [−1, 1] (NHWC), N ≥ batch size
 * @returns the trained GAN (save it with `saveGan`, then dispose it), loss curves and timing
 */
export async function train(crops: Float32Array, options: TrainOptions): Promise<TrainResult> {
  const settings = trainSettings(options);
  if (!Number.isInteger(options.steps) || options.steps < 0) {
    throw new Error(`steps must be ≥ 0, got ${options.steps}`);
  }
  const every = options.checkpointEvery ?? 100;
  const ckPath = options.checkpointDir ? `${options.checkpointDir}/checkpoint.bin` : null;
  const maxAbs = options.maxAbsLoss ?? 1e6;
  const trainer = new GanTrainer(crops, settings);
  try {
    const resumed = ckPath ? await trainer.restore(ckPath) : false;
    const resumedFrom = resumed ? trainer.step : null;
    let lastCheckpoint: number | null = resumedFrom;
    const sampleZ = new Rng(settings.seed ^ 0x5a3c1e7).fillNormal(
      new Float32Array((options.sampleCount ?? 64) * trainer.gan.config.latentDim),
    );
    const samples = async () => {
      if (!options.onSamples) return;
      const imgs = await trainer.sample(sampleZ);
      await options.onSamples(trainer.step, imgs, [
        imgs.length / (settings.size ** 2 * 3),
        settings.size,
        settings.size,
        3,
      ]);
    };
    const save = async () => {
      if (ckPath && lastCheckpoint !== trainer.step) {
        await trainer.save(ckPath);
        lastCheckpoint = trainer.step;
      }
    };
    const t0 = performance.now();
    const secondsBefore = trainer.curves.seconds.at(-1) ?? 0;
    const startStep = trainer.step;
    while (trainer.step < options.steps) {
      if (options.signal?.aborted) {
        await save();
        throw options.signal.reason ?? new DOMException("training aborted", "AbortError");
      }
      const losses = await trainer.runStep();
      const bad = [losses.dLoss, losses.gLoss].some((v) => !Number.isFinite(v) || Math.abs(v) > maxAbs);
      if (bad) throw new TrainingDivergedError(trainer.step, losses, ckPath ? lastCheckpoint : null);
      const elapsed = (performance.now() - t0) / 1000;
      const cv = trainer.curves;
      cv.step.push(trainer.step);
      cv.dLoss.push(losses.dLoss);
      cv.gLoss.push(losses.gLoss);
      if (losses.gap !== undefined) cv.gap.push(losses.gap);
      if (losses.gp !== undefined) cv.gp.push(losses.gp);
      if (losses.eLoss !== undefined) (cv.eLoss ??= []).push(losses.eLoss);
      cv.seconds.push(secondsBefore + elapsed);
      const rate = (trainer.step - startStep) / Math.max(elapsed, 1e-9);
      options.onProgress?.({
        ...losses,
        step: trainer.step,
        steps: options.steps,
        stepsPerSecond: rate,
        etaSeconds: (options.steps - trainer.step) / Math.max(rate, 1e-9),
      });
      if (options.sampleEvery && trainer.step % options.sampleEvery === 0) await samples();
      if (trainer.step % every === 0) await save();
    }
    await save();
    // The last step's samples, unless the loop just wrote them (a run resumed at its last step wrote none).
    const sampledLast = trainer.step > startStep && options.sampleEvery &&
      trainer.step % options.sampleEvery === 0;
    if (!sampledLast) await samples();
    const gan = trainer.gan;
    const result: TrainResult = {
      gan,
      settings,
      curves: trainer.curves,
      resumedFrom,
      stepsRun: trainer.step - startStep,
      seconds: (performance.now() - t0) / 1000,
    };
    trainer.disposeOptimizers();
    return result;
  } catch (e) {
    trainer.dispose();
    throw e;
  }
}
