/**
 * The three GAN losses of the paper, on D's logits (see `gan.ts`). Each returns scalar tensors.
 *
 * - `dcgan`: binary cross-entropy on sigmoid(logit); D sees real labels × U(0.8, 1) (one-sided noisy label
 *   smoothing) and fake label 0, averaged over the 2B samples of [fake; real]; G is non-saturating
 *   (target 1).
 * - `lsgan`: least squares, the same targets, mean over samples; G's target 1.
 * - `wgan`: WGAN-GP: D minimises mean(D(fake)) − mean(D(real)) + λ·mean((‖∇ₓ̂D(x̂)‖₂ − 1)²) with
 *   x̂ = ε·real + (1 − ε)·fake, ε ~ U(0, 1) per sample; G minimises −mean(D(fake)).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { GanLoss } from "./gan.ts";

/** Mean binary cross-entropy of sigmoid(logits) against targets, computed stably from the logits. */
export function sigmoidCrossEntropy(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  // max(l, 0) − l·y + log(1 + e^−|l|)
  return tf.tidy(() =>
    tf.mean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.softplus(tf.neg(tf.abs(logits)))))
  );
}

/** D's loss for DCGAN or LSGAN from the logits of the fake and real halves and the smoothed real labels. */
export function discriminatorLoss(
  loss: Exclude<GanLoss, "wgan" | "vae">,
  logitFake: tf.Tensor2D,
  logitReal: tf.Tensor2D,
  realLabels: tf.Tensor2D,
): tf.Scalar {
  return tf.tidy(() => {
    const logits = tf.concat([logitFake, logitReal], 0);
    const targets = tf.concat([tf.zerosLike(logitFake), realLabels], 0);
    if (loss === "dcgan") return sigmoidCrossEntropy(logits, targets);
    return tf.mean(tf.squaredDifference(logits, targets));
  });
}

/** G's loss from D's logits on G's samples. */
export function generatorLoss(loss: Exclude<GanLoss, "vae">, logitFake: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    if (loss === "dcgan") return sigmoidCrossEntropy(logitFake, tf.onesLike(logitFake));
    if (loss === "lsgan") return tf.mean(tf.squaredDifference(logitFake, 1));
    return tf.neg(tf.mean(logitFake));
  });
}

/** WGAN critic loss mean(D(fake)) − mean(D(real)) (without the penalty). */
export function criticLoss(logitFake: tf.Tensor2D, logitReal: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.sub(tf.mean(logitFake), tf.mean(logitReal)));
}

/**
 * Registers what second-order gradients through our networks need and tfjs 4.22 lacks: the (zero) gradient
 * of `Greater`, which LeakyReLU's gradient uses (tfjs has it for `GreaterEqual`, not `Greater`). Idempotent.
 */
export function registerSecondOrderGradients(): void {
  if (tf.getGradient("Greater")) return;
  tf.registerGradient({
    kernelName: "Greater",
    inputsToSave: ["a", "b"],
    gradFunc: (_dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => ({
      a: () => tf.zerosLike(saved[0]),
      b: () => tf.zerosLike(saved[1]),
    }),
  });
}

/**
 * The gradient penalty mean over samples of (‖∇ₓ̂ critic(x̂)‖₂ − 1)², x̂ = ε·real + (1 − ε)·fake.
 * Differentiable in the critic's variables (a gradient of a gradient).
 *
 * @param critic maps [B, …] images to [B, 1] outputs; samples must not interact (no batch norm)
 * @param eps [B] interpolation weights in [0, 1]
 */
export function gradientPenalty(
  critic: (x: tf.Tensor4D) => tf.Tensor,
  real: tf.Tensor4D,
  fake: tf.Tensor4D,
  eps: tf.Tensor1D,
): tf.Scalar {
  registerSecondOrderGradients();
  return tf.tidy(() => {
    const e = tf.reshape(eps, [-1, 1, 1, 1]);
    const xhat = tf.add(tf.mul(e, real), tf.mul(tf.sub(1, e), fake)) as tf.Tensor4D;
    const g = tf.grad((x: tf.Tensor) => tf.sum(critic(x as tf.Tensor4D)))(xhat); // [B, s, s, 3]
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(g), [1, 2, 3]), 1e-12)); // [B]
    return tf.mean(tf.square(tf.sub(norm, 1)));
  });
}

/**
 * The VAE's two terms, each a mean over the batch: the reconstruction error Σ (x − x̂)² over an image's pixels
 * and channels (a Gaussian likelihood of fixed variance), and KL(q(z | x) ‖ N(0, I)) =
 * ½ Σ (μ² + σ² − log σ² − 1) over z's dimensions. The loss is recon + β·kl.
 *
 * @param x [B, s, s, 3]; xHat its reconstruction; mu, logvar [B, latentDim]
 */
export function vaeLoss(
  x: tf.Tensor4D,
  xHat: tf.Tensor4D,
  mu: tf.Tensor2D,
  logvar: tf.Tensor2D,
): { recon: tf.Scalar; kl: tf.Scalar } {
  return tf.tidy(() => {
    const recon = tf.mean(tf.sum(tf.squaredDifference(x, xHat), [1, 2, 3])) as tf.Scalar;
    const kl = tf.mul(
      0.5,
      tf.mean(tf.sum(tf.sub(tf.add(tf.square(mu), tf.exp(logvar)), tf.add(logvar, 1)), 1)),
    ) as tf.Scalar;
    return { recon, kl };
  });
}
