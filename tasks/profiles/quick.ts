/**
 * `quick` (the default): synthetic BBBC021-format plates made by the pipeline itself, small crops and
 * width-scaled GANs, sized to finish in under 10 minutes on a 2-core CPU (7.5 min measured).
 * @module
 */
import { defineProfile } from "../../workflow/mod.ts";
import type { Stages } from "../pipeline.ts";
import { SHORT_RUN_RATES } from "./short_runs.ts";

/** The default profile. */
export const quick = defineProfile<Stages>({
  name: "quick",
  description: "synthetic BBBC021-format plates, small crops, width-scaled GANs (≈ 8 min on 2 CPU cores)",
  params: {
    segment: { cropSize: 64 },
    normalize: { size: 32 },
    train_dcgan: { steps: 500, width: 0.25, sampleEvery: 100, ...SHORT_RUN_RATES.train_dcgan },
    train_wgan: { steps: 500, width: 0.25, sampleEvery: 100, ...SHORT_RUN_RATES.train_wgan },
    train_lsgan: { steps: 500, width: 0.25, sampleEvery: 100 },
    train_vae: { steps: 500, width: 0.25, sampleEvery: 100 },
    train_bigan: { steps: 500, width: 0.25, sampleEvery: 100 },
  },
});
