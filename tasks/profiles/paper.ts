/**
 * `paper`: the authors' setting — real BBBC021 downloaded by `fetch_bbbc021`, 96 px crops, the paper's
 * architecture and schedule. Needs a GPU backend; see README.md for the expected cost.
 * @module
 */
import { defineProfile } from "../../workflow/mod.ts";
import type { Stages } from "../pipeline.ts";
import { BBBC021_NUCLEI } from "../../lib/imaging/nuclei.ts";

/** The paper profile. */
export const paper = defineProfile<Stages>({
  name: "paper",
  description: "real BBBC021 (downloaded), 96 px crops, the paper's architecture and schedule (GPU)",
  params: {
    // Real BBBC021 nuclei: ~36 px across, touching ones split at a 2.5 px neck (see BBBC021_NUCLEI).
    segment: {
      cropSize: 96,
      maskOutsideCell: true,
      diameter: BBBC021_NUCLEI.diameter,
      splitDepth: BBBC021_NUCLEI.h,
    },
    normalize: { method: "crop-max", size: 0 },
    train_dcgan: { steps: 100000, width: 1, batchSize: 64, checkpointEvery: 1000, sampleEvery: 5000 },
    train_wgan: { steps: 100000, width: 1, batchSize: 64, checkpointEvery: 1000, sampleEvery: 5000 },
    train_lsgan: { steps: 100000, width: 1, batchSize: 64, checkpointEvery: 1000, sampleEvery: 5000 },
    train_vae: { steps: 100000, width: 1, batchSize: 64, checkpointEvery: 1000, sampleEvery: 5000 },
    train_bigan: { steps: 100000, width: 1, batchSize: 64, checkpointEvery: 1000, sampleEvery: 5000 },
  },
  inputs: { segment: { dataset: "fetch_bbbc021" } },
  // Under `--executor slurm`: each training on one GPU for up to two days (its checkpoints let a job that
  // reaches the limit resume on the next run); segmentation of 13,200 fields on one CPU for up to 12 hours.
  resources: {
    segment: { cpus: 1, memGiB: 8, minutes: 12 * 60 },
    train_dcgan: { cpus: 4, memGiB: 32, gpus: 1, minutes: 48 * 60 },
    train_wgan: { cpus: 4, memGiB: 32, gpus: 1, minutes: 48 * 60 },
    train_lsgan: { cpus: 4, memGiB: 32, gpus: 1, minutes: 48 * 60 },
    train_vae: { cpus: 4, memGiB: 32, gpus: 1, minutes: 48 * 60 },
    train_bigan: { cpus: 4, memGiB: 32, gpus: 1, minutes: 48 * 60 },
  },
});
