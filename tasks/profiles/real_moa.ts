/**
 * `real-moa`: Table 1 on real BBBC021 cells. The cells profiled and evaluated are
 * `../shared/data/bbbc021/moa-crops` (1,996 cells of all 103 MOA-annotated treatments, 38 compounds, 12 MOAs,
 * and 127 DMSO cells, from all 55 plates); the GANs train on those and on `../shared/data/bbbc021/crops`
 * (2,878 more cells: DMSO and cycloheximide), 4,874 cells in all. Each GAN trains on 3 seeds, so every row of
 * Table 1 is a mean ± sd over seeds; the untrained control is each LSGAN seed's D at initialisation.
 *
 * Sized for a 2-core CPU in under an hour (README.md says what it costs): 32 px crops, a quarter of the
 * paper's filters. The settings that differ from the paper's were measured one at a time on these cells
 * (bench/levers.ts, bench/results/levers.json); the authors' protocol (cells mean, no normalisation) is kept
 * beside our best one.
 * @module
 */
import { defineProfile } from "../../workflow/mod.ts";
import type { Stages } from "../pipeline.ts";
import { SHORT_RUN_RATES } from "./short_runs.ts";

/**
 * Every training: 3 seeds of the same settings, G upsampling bilinearly (no 2-pixel grid in its cells), the
 * short-run learning rates of DCGAN and WGAN-GP (LSGAN keeps the authors'). Augmenting the real crops
 * (`augment: "dihedral"`) and LSGAN at 2e-4 were measured too and did not move NSC beyond one seed's noise.
 */
const training = {
  steps: 2000,
  width: 0.25,
  seeds: 3,
  upsample: "bilinear",
  sampleEvery: 500,
  checkpointEvery: 250,
} as const;

/**
 * How every discriminator's features are read: the paper's 100-d latent layer, and (the `sym8` view) the same
 * averaged over each cell's 8 flips and quarter turns.
 */
const features = { layers: ["latent"], symmetries: 8 };

/** The real-moa profile. */
export const realMoa = defineProfile<Stages>({
  name: "real-moa",
  description:
    "real BBBC021 cells of all 12 MOAs (moa-crops; crops joins training), 3 seeds per GAN: Table 1 ± sd",
  params: {
    crop_set: { dir: "../shared/data/bbbc021/moa-crops", trainingDirs: ["../shared/data/bbbc021/crops"] },
    normalize: { size: 32, headroom: 2 },
    train_dcgan: { ...training, ...SHORT_RUN_RATES.train_dcgan },
    train_wgan: { ...training, ...SHORT_RUN_RATES.train_wgan },
    train_lsgan: training,
    // The VAE (Table 1's baseline row): the same schedule and seeds, its own learning rate.
    train_vae: training,
    // The BiGAN (the authors' next step): the same schedule and seeds, Donahue et al.'s learning rate.
    train_bigan: training,
    extract_dcgan: features,
    extract_wgan: features,
    extract_lsgan: features,
    extract_vae: features,
    extract_bigan: features,
    extract_bigan_d: { ...features, layers: ["critic"] },
    extract_random: features,
    figures: { samples: 36 },
  },
  inputs: { normalize: { crops: "crop_set" }, extract_classical: { cells: "crop_set" } },
});
