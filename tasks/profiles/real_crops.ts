/**
 * `real-crops`: starts from a folder of real single-cell crops (by default `../shared/data/bbbc021/crops`,
 * BBBC021 DMSO and cycloheximide), skipping segmentation.
 * @module
 */
import { defineProfile } from "../../workflow/mod.ts";
import type { Stages } from "../pipeline.ts";

/** The real-crops profile. */
export const realCrops = defineProfile<Stages>({
  name: "real-crops",
  description: "real BBBC021 single-cell crops (DMSO and cycloheximide) from a crop set; no segmentation",
  params: {},
});
