/**
 * The morphogan pipeline: every stage in order, the way a Snakefile lists its rules, and the profiles that
 * size it. Run it with `deno task reproduce [--profile P]`; see README.md.
 *
 * The DAG (each arrow is a content-hashed artifact in cache/):
 * synthesize | fetch_bbbc021 | crop set → segment → normalize → train_dcgan, train_wgan, train_lsgan →
 * extract → aggregate → evaluate → figures → site.
 *
 * Stages are added here as they land; `deno task status` lists the ones present.
 * @module
 */
import { definePipeline, main } from "../workflow/mod.ts";
import { synthesize } from "./synthesize.ts";
import { paper } from "./profiles/paper.ts";
import { quick } from "./profiles/quick.ts";
import { realCrops } from "./profiles/real_crops.ts";
import { tiny } from "./profiles/tiny.ts";

/**
 * The stages, in order: each task comes after the tasks it reads. (`fetch_bbbc021`, in tasks/fetch_bbbc021.ts,
 * joins the list with `segment`, which reads `oneOf(synthesize, fetch_bbbc021)`.)
 */
export const stages = [synthesize] as const;

/** The type of the stage list, for typed profile overrides. */
export type Stages = typeof stages;

/** The pipeline. */
export const pipeline = definePipeline({
  module: import.meta.url,
  tasks: stages,
  profiles: [quick, tiny, realCrops, paper],
  defaultProfile: "quick",
});

if (import.meta.main) await main(pipeline);
