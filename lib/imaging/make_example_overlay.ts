/**
 * Writes `docs/segmentation_example_human.png`: the nuclei found in the real CC-0 example field
 * (`../shared/data/example-human`, d0 = DNA, 8-bit 512×512, nuclei ~12–14 px across) outlined in red
 * over the DNA image, and prints the count.
 *
 * Usage: `deno run -A lib/imaging/make_example_overlay.ts [out.png]`
 *
 * @module
 */

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readTiff } from "../data/tiff.ts";
import { segmentNuclei } from "./nuclei.ts";
import { writeOverlayPng } from "./overlay.ts";
import { EXAMPLE_HUMAN_DNA } from "./test_util.ts";

/** Segments the example field and writes the overlay to `out`; returns the nucleus count. */
export async function makeExampleOverlay(out: string): Promise<number> {
  if (!existsSync(EXAMPLE_HUMAN_DNA)) {
    throw new Error(
      `Cannot make the example overlay: the real example field '${EXAMPLE_HUMAN_DNA}' is absent`,
    );
  }
  const img = await readTiff(EXAMPLE_HUMAN_DNA);
  const r = segmentNuclei(img.data, img.width, img.height, { diameter: 14 });
  await writeOverlayPng(out, img.data, img.width, img.height, [{ labels: r.labels, color: [255, 50, 50] }]);
  return r.count;
}

if (import.meta.main) {
  const out = Deno.args[0] ??
    fileURLToPath(new URL("../../docs/segmentation_example_human.png", import.meta.url));
  const n = await makeExampleOverlay(out);
  console.log(`${n} nuclei; wrote ${out}`);
}
