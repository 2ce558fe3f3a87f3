/**
 * Profiling and MOA evaluation: aggregate per-cell or per-well features into
 * treatment profiles, normalise them against DMSO (pycytominer semantics),
 * select features, and score MOA retrieval (NSC / NSCB 1-NN accuracy, copairs
 * mAP). Reading CSV files, the BBBC021 metadata and seeded random numbers
 * come from `lib/data` (`csv.ts`, `bbbc021.ts`, `rng.ts`).
 *
 * ```ts
 * import { aggregate, evaluateTreatments } from "./mod.ts";
 * // wells: ProfileTable<ProfileRow>
 * // const report = evaluateTreatments(aggregate(wells, { by: "treatment" }));
 * ```
 *
 * @module
 */

export * from "./types.ts";
export * from "./stats.ts";
export * from "./read_profiles.ts";
export * from "./aggregate.ts";
export * from "./clean.ts";
export * from "./robustize.ts";
export * from "./eigen.ts";
export * from "./whiten.ts";
export * from "./feature_select.ts";
export * from "./cosine.ts";
export * from "./nsc.ts";
export * from "./bh.ts";
export * from "./map.ts";
export * from "./evaluate.ts";
export * from "./pipeline.ts";
export * from "./synthetic.ts";
