/**
 * Writes a contact sheet of the synthetic data: one row per MOA (and DMSO), two
 * fields each (different compounds of the MOA at their highest annotated
 * concentration), 192×192 crops shown at 144×144, DNA → red,
 * tubulin → green, actin → blue.
 *
 * Usage: `deno run -A lib/data/make_contact_sheet.ts [out.png] [seed]`
 * (default `docs/synthetic_contact_sheet.png`).
 *
 * @module
 */

import { MOA_COMPOUNDS, MOAS, treatmentEffect } from "./phenotypes.ts";
import { makeBatchEffect, type RenderedField, renderField } from "./render.ts";
import { type SheetTile, writeContactSheet } from "./contact_sheet.ts";
import { Rng, seedFrom } from "./rng.ts";

/** Crops a square window of a rendered field into a sheet tile. */
export function cropTile(f: RenderedField, x0: number, y0: number, size: number): SheetTile {
  const channels = f.channels.map((c) => {
    const o = new Uint16Array(size * size);
    for (let y = 0; y < size; y++) {
      o.set(c.subarray((y0 + y) * f.width + x0, (y0 + y) * f.width + x0 + size), y * size);
    }
    return o;
  }) as [Uint16Array, Uint16Array, Uint16Array];
  return { width: size, height: size, channels };
}

/** Renders the per-MOA contact sheet and writes it as PNG to `path`. */
export async function makeSyntheticContactSheet(path: string, seed = 2017, perRow = 2): Promise<void> {
  const rows: SheetTile[][] = [];
  const labels: string[] = [];
  for (const moa of ["DMSO", ...MOAS]) {
    const comps = moa === "DMSO"
      ? [{ compound: "DMSO", concentrations: [0] }]
      : MOA_COMPOUNDS.filter((c) => c.moa === moa);
    const row: SheetTile[] = [];
    for (let k = 0; k < perRow; k++) {
      const c = comps[k % comps.length];
      const conc = c.concentrations.at(-1)!;
      const f = renderField({
        width: 320,
        height: 320,
        seed: seedFrom(seed, "sheet", moa, k),
        effect: treatmentEffect(seed, c.compound, conc),
        batch: makeBatchEffect(new Rng(seedFrom(seed, "sheet-batch", k)), 0.5),
      });
      row.push(cropTile(f, 64, 64, 192));
    }
    rows.push(row);
    labels.push(moa === "DMSO" ? "DMSO (control)" : moa);
  }
  await writeContactSheet(path, rows, labels, {
    tileSize: 144,
    range: [[600, 7000], [700, 5500], [700, 6500]],
  });
}

if (import.meta.main) {
  const out = Deno.args[0] ?? "docs/synthetic_contact_sheet.png";
  await makeSyntheticContactSheet(out, Deno.args[1] ? Number(Deno.args[1]) : 2017);
  console.log(`wrote ${out}`);
}
