/**
 * Helpers shared by the tests of `lib/data`: where the real data lives and
 * whether it is present.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type CropRecord, loadCrop, readCropIndex } from "./crops.ts";

/** The project's sibling data folder, `../shared/data` from the repository root. */
export const SHARED_DATA: string = join(
  fileURLToPath(new URL("../../..", import.meta.url)),
  "shared",
  "data",
);

/** Real BBBC021 fields in the official layout (`Week2/Week2_24381/…`: plate Week2_24381, well B02, sites 1–3). */
export const BBBC021_FIELDS: string = join(SHARED_DATA, "bbbc021", "fields");

/** The official BBBC021 metadata CSVs (all 13,200 fields). */
export const BBBC021_METADATA: string = join(SHARED_DATA, "bbbc021", "metadata");

/**
 * Whether `../shared/data/<sub>` exists. When it does not, prints why the tests
 * that need it are skipped, so a user's fresh clone shows a clear message.
 */
export function haveSharedData(sub: string, what: string): boolean {
  const path = join(SHARED_DATA, sub);
  const ok = existsSync(path);
  if (!ok) {
    console.log(`Skipping ${what}: real data folder '${path}' is absent (see ../shared/data/README.md).`);
  }
  return ok;
}

/** One plate of {@linkcode writeRaggedCropSet}: its batch, gain, and wells as [compound, cells]. */
export interface RaggedPlate {
  plate: string;
  batch: string;
  /** Multiplies every intensity (plate-to-plate gain). */
  gain: number;
  wells: [compound: string, cells: number][];
  /** A fixed brightness of its DMSO cells (default: random, 0.8–1.2 like every cell). */
  dmsoBright?: number;
}

/**
 * The plates of {@linkcode writeRaggedCropSet}, shaped like BBBC021's moa-crops (wells of 1–2 cells, plates
 * with 0–10 DMSO cells): Week1_P1 has 10 DMSO cells (its own scaling), Week1_P2 one (its batch's: 11), Week2
 * 3 in all (fewer than 8: each plate its own cells); Week2_P4 has none.
 */
export const RAGGED_PLATES: readonly RaggedPlate[] = [
  {
    plate: "Week1_P1",
    batch: "Week1",
    gain: 1,
    wells: [["DMSO", 2], ["DMSO", 2], ["DMSO", 2], ["DMSO", 2], ["DMSO", 2], ["taxol", 2], ["ALLN", 1]],
  },
  {
    plate: "Week1_P2",
    batch: "Week1",
    gain: 1.6,
    wells: [["DMSO", 1], ["taxol", 1], ["ALLN", 2], ["AZ138", 1]],
  },
  {
    plate: "Week2_P3",
    batch: "Week2",
    gain: 0.7,
    wells: [["DMSO", 2], ["DMSO", 1], ["taxol", 2], ["AZ138", 1]],
  },
  { plate: "Week2_P4", batch: "Week2", gain: 1.2, wells: [["taxol", 1], ["ALLN", 2], ["AZ138", 2]] },
];

const RAGGED_MOA: Record<string, [number, string]> = {
  DMSO: [0, "DMSO"],
  taxol: [0.3, "Microtubule stabilizers"],
  ALLN: [3, "Protein degradation"],
  AZ138: [1, "Eg5 inhibitors"],
  "AZ-C": [0.1, "Eg5 inhibitors"],
};

/**
 * Writes a crop set (uint16 `.npy` crops of `size` px and index.csv) of `plates` (default
 * {@linkcode RAGGED_PLATES}): a disc
 * cell whose DNA, actin and tubulin differ by treatment and cell, times the plate's gain. Files store DNA,
 * actin, tubulin (as ../shared's BBBC021 crops do: `channelOrder: "dna-actin-tubulin"`).
 *
 * @returns The number of crops.
 */
export async function writeRaggedCropSet(
  dir: string,
  size = 24,
  plates: readonly RaggedPlate[] = RAGGED_PLATES,
): Promise<number> {
  const { encodeNpy } = await import("./npy.ts");
  const { Rng } = await import("./rng.ts");
  const rng = new Rng(11);
  const lines = ["file,plate,well,compound,concentration,moa,site"];
  let n = 0;
  for (const p of plates) {
    for (const [w, [compound, cells]] of p.wells.entries()) {
      const [concentration, moa] = RAGGED_MOA[compound];
      const tubulin = compound === "taxol" ? 2.5 : compound === "AZ138" ? 1.8 : 1;
      for (let k = 0; k < cells; k++, n++) {
        const data = new Uint16Array(size * size * 3);
        const r = size * (0.15 + 0.05 * rng.int(3)), c = size / 2;
        const random = 0.8 + 0.4 * rng.int(5) / 4;
        const bright = compound === "DMSO" && p.dmsoBright !== undefined ? p.dmsoBright : random;
        for (let y = 0; y < size; y++) {
          for (let x = 0; x < size; x++) {
            const d = Math.hypot(x - c, y - c), i = (y * size + x) * 3;
            const dna = d < r ? 3000 * bright : 300;
            const actin = Math.abs(d - r - 3) < 1.5 ? 2500 : d < r + 3 ? 900 : 250;
            const tub = d < r + 4 ? 1200 * tubulin * bright : 200;
            data[i] = Math.min(65535, Math.round(p.gain * (dna + rng.int(60))));
            data[i + 1] = Math.min(65535, Math.round(p.gain * (actin + rng.int(60))));
            data[i + 2] = Math.min(65535, Math.round(p.gain * (tub + rng.int(60))));
          }
        }
        const file = `${p.plate}/c${n}.npy`;
        await Deno.mkdir(join(dir, p.plate), { recursive: true });
        await Deno.writeFile(join(dir, file), encodeNpy({ dtype: "uint16", shape: [size, size, 3], data }));
        const well = `B${String(w + 2).padStart(2, "0")}`;
        lines.push(`${file},${p.plate},${well},${compound},${concentration},${moa},s${1 + k}`);
      }
    }
  }
  await Deno.writeTextFile(join(dir, "index.csv"), lines.join("\n") + "\n");
  return n;
}

/**
 * Simple per-cell features of a real crop-set folder, for tests that need real features fast: per channel its
 * mean, standard deviation and 90th percentile as fractions of the 16-bit range (9 features), with the crop
 * records (plate, well, site, compound, concentration, MOA) in index order.
 */
export async function channelStatsOfCropSet(
  dir: string,
): Promise<{ records: CropRecord[]; names: string[]; data: Float32Array }> {
  const records = await readCropIndex(dir);
  const names = ["DNA", "actin", "tubulin"].flatMap((ch) => [`${ch}_mean`, `${ch}_sd`, `${ch}_p90`]);
  const d = names.length;
  const data = new Float32Array(records.length * d);
  for (const [i, r] of records.entries()) {
    const img = await loadCrop(dir, r, { channelOrder: "dna-actin-tubulin" });
    for (let c = 0; c < 3; c++) {
      const v = Float64Array.from({ length: img.width * img.height }, (_, k) => img.data[3 * k + c] / 65535);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      v.sort();
      data.set([mean, sd, v[Math.floor(0.9 * v.length)]], i * d + 3 * c);
    }
  }
  return { records, names, data };
}
