/**
 * `real-crops`: starts from a folder of real single-cell crops (by default `../shared/data/bbbc021/crops`,
 * BBBC021 DMSO and cycloheximide), skipping segmentation.
 * @module
 */
import { defineProfile } from "../../workflow/mod.ts";
import type { Stages } from "../pipeline.ts";
import { SHORT_RUN_RATES } from "./short_runs.ts";

/** The real-crops profile. */
export const realCrops = defineProfile<Stages>({
  name: "real-crops",
  description: "real BBBC021 single-cell crops (DMSO and cycloheximide) from a crop set; no segmentation",
  params: {
    normalize: { size: 32 },
    train_dcgan: { steps: 600, width: 0.25, sampleEvery: 100, ...SHORT_RUN_RATES.train_dcgan },
    train_wgan: { steps: 600, width: 0.25, sampleEvery: 100, ...SHORT_RUN_RATES.train_wgan },
    train_lsgan: { steps: 600, width: 0.25, sampleEvery: 100 },
    train_vae: { steps: 600, width: 0.25, sampleEvery: 100 },
    train_bigan: { steps: 600, width: 0.25, sampleEvery: 100 },
  },
  inputs: { normalize: { crops: "crop_set" }, extract_classical: { cells: "crop_set" } },
});
