/**
 * Data layer of morphogan: BBBC021 metadata and images, the downloader, the
 * synthetic BBBC021-format generator, crop sets, and helpers. See README.md.
 *
 * @module
 */

export * from "./bbbc021.ts";
export * from "./bbbc021_urls.ts";
export * from "./contact_sheet.ts";
export * from "./crops.ts";
export * from "./csv.ts";
export * from "./download.ts";
export * from "./field.ts";
export * from "./field_census.ts";
export * from "./npy.ts";
export * from "./phenotypes.ts";
export * from "./render.ts";
export * from "./rng.ts";
export * from "./synthetic.ts";
export * from "./tiff.ts";
export * from "./dataset.ts";
