/**
 * The `crop_set` task's defaults, in a module of their own (no imports) so that the task declaration and
 * `deno task embed` share them without loading the crop-set code.
 * @module
 */

/** Defaults of the `crop_set` task's params (and of `deno task embed` for a crop-set folder). */
export const CROP_SET_DEFAULTS = {
  /** Index file inside the folder. */
  index: "index.csv",
  /** The files' channel order: BBBC021's crops in ../shared store DNA, actin, tubulin. */
  channelOrder: "dna-actin-tubulin",
  /** Batch of every crop when the index has no batch column ("": the plate's WeekN). */
  batch: "",
} as const;
