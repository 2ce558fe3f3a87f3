/**
 * The morphogan pipeline: every stage in order, the way a Snakefile lists its rules, and the profiles that
 * size it. Run it with `deno task reproduce [--profile P]`; see README.md.
 *
 * The DAG (each arrow is a content-hashed artifact in cache/):
 * synthesize | fetch_bbbc021 | crop set → segment → normalize → train_dcgan, train_wgan, train_lsgan →
 * extract → aggregate → evaluate, dose_response → figures, gallery → site.
 *
 * Stages are added here as they land; `deno task status` lists the ones present.
 * @module
 */
import { definePipeline, main } from "../workflow/mod.ts";
import { aggregate } from "./aggregate.ts";
import { cropSet } from "./crop_set.ts";
import { doseResponseTask } from "./dose_response.ts";
import { evaluate } from "./evaluate.ts";
import { extractClassical } from "./extract_classical.ts";
import { EXTRACT_TASKS, extractRandom, TRAIN_TASKS, VIEW_TASKS } from "./models.ts";
import { figures } from "./figures.ts";
import { gallery } from "./gallery.ts";
import { fetchBbbc021 } from "./fetch_bbbc021.ts";
import { normalize } from "./normalize.ts";
import { segment } from "./segment.ts";
import { siteStep } from "./site.ts";
import { headline } from "./headline.ts";
import { synthesize } from "./synthesize.ts";
import { paper } from "./profiles/paper.ts";
import { quick } from "./profiles/quick.ts";
import { realCrops } from "./profiles/real_crops.ts";
import { realMoa } from "./profiles/real_moa.ts";
import { tiny } from "./profiles/tiny.ts";

/**
 * The stages, in order: each task comes after the tasks it reads. Alternatives (`oneOf`) are picked per
 * profile: `segment` reads `synthesize` (default) or `fetch_bbbc021` (paper); `normalize` reads `segment`
 * (default) or `crop_set` (real-crops), and so does `extract_classical`.
 */
export const stages = [
  synthesize,
  fetchBbbc021,
  segment,
  cropSet,
  normalize,
  ...TRAIN_TASKS,
  ...EXTRACT_TASKS,
  ...VIEW_TASKS,
  extractRandom,
  extractClassical,
  aggregate,
  evaluate,
  doseResponseTask,
  figures,
  gallery,
] as const;

/** The type of the stage list, for typed profile overrides. */
export type Stages = typeof stages;

/** The pipeline. */
export const pipeline = definePipeline({
  module: import.meta.url,
  tasks: stages,
  profiles: [quick, tiny, realMoa, realCrops, paper],
  defaultProfile: "quick",
  after: siteStep,
  headline,
});

if (import.meta.main) await main(pipeline);
