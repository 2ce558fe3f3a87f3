/**
 * Seeded synthetic cells with sites, shaped like BBBC021's moa-crops for dose-response tests and benchmarks:
 * about 1.9 cells a site; 10 % of the sites DMSO (over 55 plates); one dominant dose holding 37 % of the
 * sites (moa-crops' taxol at 0.3 µM: 394 of 1,067 sites); the rest over 102 doses (34 compounds × 3
 * concentrations) of 1–11 sites each at 2,000 cells. More cells scale every group in proportion. A cell's
 * features are standard normal noise plus its compound's direction times its dose rank.
 * @module
 */
import { Rng } from "../data/rng.ts";
import type { SiteCellRow } from "./dose_response.ts";
import type { ProfileTable } from "./types.ts";

/** Options of {@linkcode syntheticSiteCells}. */
export interface SyntheticSitesOptions {
  /** Cells (exactly). */
  cells: number;
  /** Features (default 100). */
  features?: number;
  /** Seed (default 1). */
  seed?: number;
}

const CELLS_PER_SITE = 1.87;
const COMPOUNDS = 34, CONCENTRATIONS = [0.1, 1, 10];

/**
 * Generates the cells (see module doc).
 *
 * @throws RangeError for fewer cells than sites can hold (< 200).
 */
export function syntheticSiteCells(options: SyntheticSitesOptions): ProfileTable<SiteCellRow> {
  const { cells } = options;
  const d = options.features ?? 100;
  if (!Number.isInteger(cells) || cells < 200) {
    throw new RangeError(`syntheticSiteCells: expected an integer number of cells ≥ 200, got ${cells}`);
  }
  const rng = new Rng(options.seed ?? 1);
  const nSites = Math.round(cells / CELLS_PER_SITE);
  // Groups: [compound, concentration, moa, effect direction index, dose rank].
  type Group = { compound: string; concentration: number; moa: string | null; dir: number; rank: number };
  const groups: Group[] = [
    { compound: "DMSO", concentration: 0, moa: "DMSO", dir: -1, rank: 0 },
    { compound: "taxol", concentration: 0.3, moa: "Microtubule stabilizers", dir: COMPOUNDS, rank: 1 },
  ];
  for (let c = 0; c < COMPOUNDS; c++) {
    CONCENTRATIONS.forEach((concentration, k) =>
      groups.push({ compound: `c${c}`, concentration, moa: `MOA${c % 12}`, dir: c, rank: k + 1 })
    );
  }
  // Sites per group: DMSO 10 %, taxol 37 %, the others by random weights.
  const weights = groups.slice(2).map(() => 1 + rng.int(11));
  const wSum = weights.reduce((a, b) => a + b, 0);
  const rest = nSites - Math.round(0.1 * nSites) - Math.round(0.37 * nSites);
  const counts = [
    Math.round(0.1 * nSites),
    Math.round(0.37 * nSites),
    ...weights.map((w) => Math.max(1, Math.round((rest * w) / wSum))),
  ];
  const siteGroup: number[] = counts.flatMap((n, g) => Array.from({ length: n }, () => g));
  // Every site one cell, the remaining cells to random sites.
  const cellsOf = new Int32Array(siteGroup.length).fill(1);
  for (let k = siteGroup.length; k < cells; k++) cellsOf[rng.int(siteGroup.length)]++;
  const directions = Array.from(
    { length: COMPOUNDS + 1 },
    () => Float64Array.from({ length: d }, () => rng.normal()),
  );
  const rows: SiteCellRow[] = [];
  const data = new Float32Array(cells * d);
  let i = 0;
  siteGroup.forEach((g, s) => {
    const group = groups[g];
    const plate = `Week${1 + (s % 10)}_${10000 + (s % 55)}`;
    for (let k = 0; k < cellsOf[s]; k++, i++) {
      rows.push({
        plate,
        well: `W${g}`,
        site: s,
        batch: plate.split("_")[0],
        compound: group.compound,
        concentration: group.concentration,
        moa: group.moa,
      });
      for (let j = 0; j < d; j++) {
        const effect = group.dir < 0 ? 0 : 0.3 * group.rank * directions[group.dir][j];
        data[i * d + j] = rng.normal() + effect;
      }
    }
  });
  return { features: Array.from({ length: d }, (_, j) => `f${j}`), data: data.subarray(0, i * d), rows };
}
