/**
 * Learning rates for short trainings (the quick and real-crops profiles: 500–600 steps). The authors' rates
 * (lib/models/hyperparams.ts; the paper profile keeps them) were set for 100,000 steps: in a few hundred, the
 * DCGAN generator (lr 1e-5) hardly moves and the WGAN-GP critic (7e-5, slower than its generator's 2e-4)
 * never leads, so samples stay noise-like or collapse to one image. Here DCGAN uses Radford et al.'s 2e-4 for
 * both networks and WGAN-GP swaps the two rates (critic 2e-4, generator 7e-5); LSGAN keeps the authors'.
 *
 * Measured on quick (synthetic, 32 px, w = 0.25, 500 steps), authors' → these rates: Fréchet distance to real
 * cells in classical-feature space DCGAN 1786 → 810, WGAN-GP 1208 → 806 (LSGAN 681); NSC per compound under
 * the authors' protocol DCGAN 0.672 → 0.600, WGAN-GP 0.439 → 0.518; best protocol 0.751 → 0.762 and
 * 0.708 → 0.759. On the real BBBC021 crops (600 steps) the samples go from noise (DCGAN) and one repeated
 * image (WGAN-GP) to varied cells with nuclei.
 * @module
 */

/** Per-loss learning-rate overrides of the short-run profiles. */
export const SHORT_RUN_RATES = {
  train_dcgan: { lrD: 2e-4, lrG: 2e-4 },
  train_wgan: { lrD: 2e-4, lrG: 7e-5 },
} as const;
