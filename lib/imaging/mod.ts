/**
 * Imaging layer of morphogan: illumination correction, nucleus and cell segmentation, region
 * properties, single-cell crops, normalisation, crop shards and the dataset driver (with workers).
 * See README.md.
 *
 * All image code is typed-array code of our own rather than image-js 1.x: image-js works on its `Image`
 * class (a copy per operation, integer pixel data) and has no exact Euclidean distance transform,
 * h-maxima, marker watershed over a mask, or bucket-queue flooding; keeping Float32/Int32 planes end to
 * end makes the nucleus pipeline 2.5–5× faster than scikit-image 0.19 on one core (bench/segment.ts).
 *
 * @example
 * ```ts
 * import { segmentDataset } from "./lib/imaging/mod.ts";
 * await segmentDataset("cache/synthetic", "cache/crops", { cropSize: 64, jobs: 2, normalization: "crop-max" });
 * ```
 *
 * @module
 */

export * from "./cells.ts";
export * from "./crops.ts";
export * from "./distance.ts";
export * from "./filters.ts";
export * from "./illumination.ts";
export * from "./labels.ts";
export * from "./match.ts";
export * from "./morphology.ts";
export * from "./normalize.ts";
export * from "./nuclei.ts";
export * from "./overlay.ts";
export * from "./plate.ts";
export * from "./regionprops.ts";
export * from "./segment.ts";
export * from "./shards.ts";
export * from "./threshold.ts";
export * from "./watershed.ts";
