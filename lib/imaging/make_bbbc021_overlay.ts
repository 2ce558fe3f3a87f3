/**
 * Writes `docs/segmentation_bbbc021_week2.png`: a real BBBC021 field (plate Week2_24381, well B02, DMSO, from
 * `../shared/data/bbbc021/fields`, found through the official image table) segmented as the `paper` profile
 * segments it ({@linkcode BBBC021_NUCLEI}; no illumination correction, as two fields are too few for one),
 * nuclei outlined in red and cells in yellow over the DNA and cytoplasm (tubulin + actin) images added,
 * downscaled 2× to 640×512; prints the counts.
 *
 * Usage: `deno run -A lib/imaging/make_bbbc021_overlay.ts [site] [out.png] [scale]` (site 1, the docs
 * image, scale 2 by default; scale 1 for full resolution).
 *
 * @module
 */

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readBbbc021Metadata } from "../data/bbbc021.ts";
import { loadField } from "../data/field.ts";
import { BBBC021_FIELDS, BBBC021_METADATA } from "../data/test_util.ts";
import { downsampleMean } from "./filters.ts";
import { BBBC021_NUCLEI } from "./nuclei.ts";
import { encodeRgbPng, outlineOverlay } from "./overlay.ts";
import { segmentField } from "./segment.ts";
import { percentiles } from "./threshold.ts";
import { writeFileAtomic } from "../data/atomic_write.ts";

/** The plate and well of the real fields in `../shared/data/bbbc021/fields`. */
export const BBBC021_EXAMPLE_WELL = { plate: "Week2_24381", well: "B02" } as const;

/** Every `scale`-th label in x and y: a label image downscaled without mixing labels. */
function subsampleLabels(labels: Int32Array, width: number, height: number, scale: number): Int32Array {
  const w = Math.ceil(width / scale), h = Math.ceil(height / scale);
  const out = new Int32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) out[y * w + x] = labels[y * scale * width + x * scale];
  }
  return out;
}

/**
 * Segments site `site` of the real example well and writes the overlay to `out` (atomically), downscaled by
 * the integer `scale`. Returns the nucleus and crop counts.
 *
 * @throws Error naming the folder when the real fields are absent, or the site when it is not complete.
 */
export async function makeBbbc021Overlay(
  out: string,
  site = 1,
  scale = 2,
): Promise<{ nuclei: number; crops: number }> {
  if (!existsSync(BBBC021_FIELDS)) {
    throw new Error(`Cannot make the BBBC021 overlay: the real fields '${BBBC021_FIELDS}' are absent`);
  }
  const meta = await readBbbc021Metadata(BBBC021_METADATA);
  const { plate, well } = BBBC021_EXAMPLE_WELL;
  const entry = meta.fields.find((f) => f.plate === plate && f.well === well && f.site === site);
  if (!entry) throw new Error(`Cannot make the BBBC021 overlay: ${plate} ${well} has no site ${site}`);
  const field = await loadField(BBBC021_FIELDS, entry);
  const r = segmentField(field, { ...BBBC021_NUCLEI, nuclei: { h: BBBC021_NUCLEI.h }, cropSize: 96 });
  const { width, height } = field;
  // DNA and cytoplasm, each scaled to its 99.8th percentile, added: nuclei and cell bodies both show.
  const [dna, tub, act] = field.channels;
  const [dHi] = percentiles(dna, [0.998]);
  const cyto = new Float32Array(width * height);
  for (let i = 0; i < cyto.length; i++) cyto[i] = tub[i] + act[i];
  const [cHi] = percentiles(cyto, [0.998]);
  const gray = new Float32Array(width * height);
  for (let i = 0; i < gray.length; i++) {
    gray[i] = Math.min(1, dna[i] / dHi) + 0.8 * Math.min(1, cyto[i] / cHi);
  }
  const small = downsampleMean(gray, width, height, scale);
  const rgb = outlineOverlay(small.data, small.width, small.height, [
    { labels: subsampleLabels(r.cells.labels, width, height, scale), color: [255, 220, 0] },
    { labels: subsampleLabels(r.nuclei.labels, width, height, scale), color: [255, 40, 40] },
  ]);
  await writeFileAtomic(out, encodeRgbPng(rgb, small.width, small.height));
  return { nuclei: r.nuclei.count, crops: r.crops.count };
}

if (import.meta.main) {
  const site = Number(Deno.args[0] ?? 1);
  const out = Deno.args[1] ??
    fileURLToPath(new URL("../../docs/segmentation_bbbc021_week2.png", import.meta.url));
  const { nuclei, crops } = await makeBbbc021Overlay(out, site, Number(Deno.args[2] ?? 2));
  console.log(
    `${BBBC021_EXAMPLE_WELL.plate} ${BBBC021_EXAMPLE_WELL.well} s${site}: ${nuclei} nuclei, ${crops} crops; wrote ${out}`,
  );
}
