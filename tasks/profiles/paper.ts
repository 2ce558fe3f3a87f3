/**
 * `paper`: the authors' setting — real BBBC021 downloaded by `fetch_bbbc021`, 96 px crops, the paper's
 * architecture and schedule. Needs a GPU backend; see README.md for the expected cost.
 * @module
 */
import { defineProfile } from "../../workflow/mod.ts";
import type { Stages } from "../pipeline.ts";

/** The paper profile. */
export const paper = defineProfile<Stages>({
  name: "paper",
  description: "real BBBC021 (downloaded), 96 px crops, the paper's architecture and schedule (GPU)",
  params: {},
});
