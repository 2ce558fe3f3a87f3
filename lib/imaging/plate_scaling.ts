/**
 * Which cells set a plate's `plate-percentile` scaling (lib/imaging/normalize.ts), when plates hold few
 * control cells. The 0.1st/99.9th percentiles of one or two DMSO cells are those cells' brightest and darkest
 * pixels, not the plate's: on BBBC021's moa-crops (0–6 DMSO cells a plate) such scalings left some plates'
 * cells saturated and others dark. So each plate takes the first of:
 *
 * 1. `plate-dmso`: its own DMSO cells, when it has at least `minControlCells`;
 * 2. `batch-dmso`: the DMSO cells of every plate of its batch (BBBC021's `WeekN`: plates imaged together),
 *    when they number at least `minControlCells`;
 * 3. `plate-all`: all its cells.
 *
 * With `level: "batch"` a plate starts at step 2 (every plate of a batch shares one scaling), and with
 * `level: "global"` every plate takes `global-dmso`, the DMSO cells of all plates (one scaling for the whole
 * store), when they number at least `minControlCells`, else step 3. On moa-crops (8–18 DMSO cells a batch,
 * plates differing in brightness mostly by batch) the global scaling gave the GANs' features the best MOA
 * accuracy (bench/results/levers.json).
 *
 * Each choice is recorded (source, cells, pixels, lo, hi) so that a run says how every plate was scaled.
 * @module
 */
import { IntensityHistogram } from "./normalize.ts";

/** Where a plate's percentiles came from (see module doc). */
export type ScalingSource = "plate-dmso" | "batch-dmso" | "global-dmso" | "plate-all";

/** The sources in order of preference. */
export const SCALING_SOURCES: readonly ScalingSource[] = [
  "plate-dmso",
  "batch-dmso",
  "global-dmso",
  "plate-all",
];

/** The coarsest group whose DMSO cells may set a plate's scaling first (see the module doc). */
export type ScalingLevel = "plate" | "batch" | "global";

/** The scaling levels. */
export const SCALING_LEVELS: readonly ScalingLevel[] = ["plate", "batch", "global"];

/** One plate's cells, as histograms of their pixels. */
export interface PlateCells {
  plate: string;
  batch: string;
  /** Pixels of the plate's DMSO cells. */
  dmso: IntensityHistogram;
  /** DMSO cells counted in `dmso`. */
  dmsoCells: number;
  /** Pixels of all the plate's cells. */
  all: IntensityHistogram;
  /** Cells counted in `all`. */
  cells: number;
}

/** How one plate was scaled. */
export interface PlateScalingRecord {
  plate: string;
  batch: string;
  /** Where the percentiles came from. */
  source: ScalingSource;
  /** Cells the percentiles came from. */
  cells: number;
  /** Pixels (per channel) the percentiles came from. */
  pixels: number;
  /** The plate's own DMSO cells. */
  plateDmsoCells: number;
  /** Per-channel low values (DNA, tubulin, actin). */
  lo: [number, number, number];
  /** Per-channel high values. */
  hi: [number, number, number];
}

/** Options of {@linkcode choosePlateScalings}. */
export interface PlateScalingOptions {
  /** Fewest DMSO cells a plate (or its batch) needs for its DMSO cells to set the scaling. */
  minControlCells: number;
  /** Lower quantile (0.001). */
  lowQuantile: number;
  /** Upper quantile (0.999). */
  highQuantile: number;
  /** Where a plate's scaling starts (default `"plate"`). */
  level?: ScalingLevel;
}

/**
 * Chooses every plate's reference cells (see module doc) and its percentiles.
 *
 * @param plates Every plate's histograms.
 * @param options The control-cell minimum and the quantiles.
 * @returns One record per plate, sorted by plate.
 * @throws RangeError when `minControlCells` is not a positive integer.
 */
export function choosePlateScalings(
  plates: readonly PlateCells[],
  options: PlateScalingOptions,
): PlateScalingRecord[] {
  const { minControlCells, lowQuantile, highQuantile } = options;
  const level = options.level ?? "plate";
  if (!SCALING_LEVELS.includes(level)) {
    throw new RangeError(`choosePlateScalings: expected level ${SCALING_LEVELS.join(", ")}, got "${level}"`);
  }
  if (!Number.isInteger(minControlCells) || minControlCells < 1) {
    throw new RangeError(
      `choosePlateScalings: expected a positive integer minControlCells, got ${minControlCells}`,
    );
  }
  const batches = new Map<string, { hist: IntensityHistogram | null; cells: number }>();
  const global: { hist: IntensityHistogram | null; cells: number } = { hist: null, cells: 0 };
  for (const p of plates) {
    let b = batches.get(p.batch);
    if (!b) batches.set(p.batch, b = { hist: null, cells: 0 });
    if (p.dmsoCells === 0) continue;
    for (const g of [b, global]) {
      if (!g.hist) g.hist = new IntensityHistogram(p.dmso.bitDepth);
      g.hist.merge(p.dmso);
      g.cells += p.dmsoCells;
    }
  }
  return [...plates].sort((a, b) => (a.plate < b.plate ? -1 : a.plate > b.plate ? 1 : 0)).map((p) => {
    const batch = batches.get(p.batch)!;
    const [source, h, cells]: [ScalingSource, IntensityHistogram, number] =
      level === "plate" && p.dmsoCells >= minControlCells
        ? ["plate-dmso", p.dmso, p.dmsoCells]
        : level !== "global" && batch.cells >= minControlCells
        ? ["batch-dmso", batch.hist!, batch.cells]
        : level === "global" && global.cells >= minControlCells
        ? ["global-dmso", global.hist!, global.cells]
        : ["plate-all", p.all, p.cells];
    const lo = [0, 1, 2].map((c) => h.quantile(c, lowQuantile)) as [number, number, number];
    const hi = [0, 1, 2].map((c) => Math.max(h.quantile(c, highQuantile), lo[c] + 1)) as [
      number,
      number,
      number,
    ];
    return {
      plate: p.plate,
      batch: p.batch,
      source,
      cells,
      pixels: h.total,
      plateDmsoCells: p.dmsoCells,
      lo,
      hi,
    };
  });
}

/** One line: how many plates took each source. */
export function scalingSummary(records: readonly PlateScalingRecord[], minControlCells: number): string {
  const n = (s: ScalingSource) => records.filter((r) => r.source === s).length;
  const global = n("global-dmso") ? `${n("global-dmso")} from the DMSO cells of all plates, ` : "";
  return `plate scaling of ${records.length} plate(s): ${n("plate-dmso")} from their own DMSO cells ` +
    `(≥ ${minControlCells}), ${n("batch-dmso")} from their batch's DMSO cells, ${global}${n("plate-all")} ` +
    `from all their cells (too few DMSO cells in plate and batch)`;
}
