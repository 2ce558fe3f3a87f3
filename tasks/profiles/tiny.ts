/**
 * `tiny`: the same DAG as `quick` at toy size; the end-to-end test (under 2 minutes).
 * @module
 */
import { defineProfile } from "../../workflow/mod.ts";
import type { Stages } from "../pipeline.ts";

/** Every GAN trains the same few steps of a narrow network. */
const training = {
  steps: 20,
  width: 0.125,
  batchSize: 16,
  checkpointEvery: 10,
  sampleEvery: 10,
  sampleCount: 16,
};

/** The end-to-end test profile. */
export const tiny = defineProfile<Stages>({
  name: "tiny",
  description:
    "the quick DAG at toy size: 2 small synthetic plates (2 compounds per MOA), a few training steps (< 2 min)",
  params: {
    synthesize: {
      width: 256,
      height: 256,
      plates: 2,
      batches: 2,
      wellsPerPlate: 16,
      dmsoWellsPerPlate: 2,
      replicates: 1,
      compoundsPerMoa: 2,
      concentrationsPerCompound: 1,
    },
    segment: { cropSize: 48 },
    normalize: { size: 32 },
    train_dcgan: training,
    train_wgan: training,
    train_vae: training,
    train_bigan: training,
    figures: { algebraSamples: 200, realismSamples: 100, samples: 16 },
    // Two seeds of LSGAN (replicate trainings, and the untrained control of each) and the symmetric view of
    // LSGAN's and the control's features, run end to end.
    train_lsgan: { ...training, seeds: 2 },
    extract_lsgan: { symmetries: 8 },
    extract_random: { symmetries: 8 },
  },
});
