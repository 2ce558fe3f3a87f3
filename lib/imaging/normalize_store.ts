/**
 * Normalises a whole crop store: raw uint16 crops → float32 in [−1, 1] by `crop-max` or `plate-percentile`
 * (see normalize.ts), optionally resampled to a side; shards mirror the input's and cells.csv is carried
 * over. `plate-percentile` also writes `scaling.json`: how each plate was scaled (its own DMSO cells, its
 * batch's, or all its cells: lib/imaging/plate_scaling.ts). The `normalize` task and `deno task embed` both
 * use it, so new cells are prepared exactly as the training cells were.
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "../data/atomic_write.ts";
import { CELL_TABLE, readTrainingTable, TRAINING_TABLE } from "./crop_store.ts";
import { IntensityHistogram, normalizeCropMax, normalizePlatePercentile } from "./normalize.ts";
import {
  choosePlateScalings,
  type PlateCells,
  type PlateScalingRecord,
  type ScalingLevel,
  scalingSummary,
} from "./plate_scaling.ts";
import { resizeCrops } from "./resize.ts";
import { readShard, writeShard } from "./shards.ts";

/** How a store is normalised (the `normalize` task's params). */
export interface StoreNormalization {
  /** `crop-max` (the paper's) or `plate-percentile`. */
  method: "crop-max" | "plate-percentile";
  /** Resample crops to this side (0: keep). */
  size: number;
  /** plate-percentile: lower quantile of DMSO pixels. */
  lowQuantile: number;
  /** plate-percentile: upper quantile of DMSO pixels. */
  highQuantile: number;
  /**
   * plate-percentile: fewest DMSO cells a plate needs to be scaled by its own DMSO cells; below, its batch's
   * DMSO cells (when they are as many), else all its cells.
   */
  minControlCells: number;
  /**
   * plate-percentile: the coarsest group whose DMSO cells may set a plate's scaling first: `plate` (then its
   * batch, then all its cells), `batch`, or `global` (one scaling for the whole store). See plate_scaling.ts.
   */
  scalingLevel: ScalingLevel;
  /**
   * plate-percentile: the DMSO percentile range maps to [−1, −1 + 2/headroom] (1: to [−1, 1]), leaving room
   * for cells brighter than any DMSO cell (taxol's tubulin), which are clipped at 1 otherwise.
   */
  headroom: number;
}

/** The `normalize` task's defaults. */
export const STORE_NORMALIZATION_DEFAULTS: Readonly<StoreNormalization> = {
  method: "plate-percentile",
  size: 0,
  lowQuantile: 0.001,
  highQuantile: 0.999,
  minControlCells: 8,
  scalingLevel: "plate",
  headroom: 1,
};

/** The file of a normalised store that says how each plate was scaled (plate-percentile). */
export const SCALING_FILE = "scaling.json";

/** `scaling.json`. */
export interface ScalingFile {
  method: "plate-percentile";
  lowQuantile: number;
  highQuantile: number;
  minControlCells: number;
  scalingLevel: ScalingLevel;
  headroom: number;
  /** The one-line summary that was logged. */
  summary: string;
  plates: PlateScalingRecord[];
}

/** Progress, logging and cancellation of {@link normalizeStore}. */
export interface NormalizeHooks {
  progress?: { start(total: number, unit: string): void; tick(): void };
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * Normalises the crop store `input` into `out` (an empty folder).
 *
 * @throws Error naming the shard when it does not hold raw uint16 crops.
 */
export async function normalizeStore(
  input: string,
  out: string,
  options: StoreNormalization,
  hooks: NormalizeHooks = {},
): Promise<{ cells: number; shards: number }> {
  const { method, size, lowQuantile, highQuantile } = options;
  const { minControlCells } = options;
  const level = options.scalingLevel ?? "plate";
  await Deno.mkdir(out, { recursive: true });
  // The profiled cells and any training-only cells: both are normalised, and both set the scalings.
  const rows = await readTrainingTable(input);
  const shards = [...new Set(rows.map((r) => r.shard))];
  hooks.progress?.start(shards.length * (method === "plate-percentile" ? 2 : 1), "shards");

  // plate-percentile: histograms of every plate's DMSO crops and of all its crops.
  const scalings = new Map<string, PlateScalingRecord>();
  if (method === "plate-percentile") {
    const plates = new Map<string, PlateCells>();
    const rowsOf = Map.groupBy(rows, (r) => r.shard);
    for (const shardName of shards) {
      hooks.signal?.throwIfAborted();
      const shard = await readShard(join(input, shardName));
      if (shard.header.dtype !== "uint16") {
        throw new Error(
          `Cannot normalise '${
            join(input, shardName)
          }': expected raw uint16 crops, found ${shard.header.dtype}`,
        );
      }
      const [, s] = shard.header.shape;
      const per = s * s * 3;
      // One crop's channels as planes, reused for every crop of the shard.
      const planes = [0, 1, 2].map(() => new Uint16Array(s * s));
      const mask = new Uint8Array(s * s).fill(1);
      for (const r of rowsOf.get(shardName)!) {
        const crop = shard.data.subarray(r.index * per, (r.index + 1) * per);
        for (let i = 0; i < s * s; i++) {
          planes[0][i] = crop[3 * i];
          planes[1][i] = crop[3 * i + 1];
          planes[2][i] = crop[3 * i + 2];
        }
        let p = plates.get(r.plate);
        if (!p) {
          plates.set(
            r.plate,
            p = {
              plate: r.plate,
              batch: r.batch,
              dmso: new IntensityHistogram(16),
              dmsoCells: 0,
              all: new IntensityHistogram(16),
              cells: 0,
            },
          );
        }
        p.all.add(planes, mask);
        p.cells++;
        if (r.compound === "DMSO") {
          p.dmso.add(planes, mask);
          p.dmsoCells++;
        }
      }
      hooks.progress?.tick();
    }
    const records = choosePlateScalings([...plates.values()], {
      minControlCells,
      lowQuantile,
      highQuantile,
      level,
    });
    for (const r of records) scalings.set(r.plate, r);
    const summary = scalingSummary(records, minControlCells);
    hooks.log?.(summary);
    const file: ScalingFile = {
      method,
      lowQuantile,
      highQuantile,
      minControlCells,
      scalingLevel: level,
      headroom: options.headroom ?? 1,
      summary,
      plates: records,
    };
    await writeFileAtomic(join(out, SCALING_FILE), JSON.stringify(file, null, 2) + "\n");
  }

  for (const shardName of shards) {
    hooks.signal?.throwIfAborted();
    const shard = await readShard(join(input, shardName));
    const [n, s] = shard.header.shape;
    if (shard.header.dtype !== "uint16") {
      throw new Error(
        `Cannot normalise '${
          join(input, shardName)
        }': expected raw uint16 crops, found ${shard.header.dtype}`,
      );
    }
    let data: Float32Array;
    if (method === "crop-max") data = normalizeCropMax(shard.data, n, s);
    else {
      const plate = String(shard.header.plate ?? rows.find((r) => r.shard === shardName)!.plate);
      const { lo, hi } = scalings.get(plate)!;
      // Headroom: the DMSO range fills 1/headroom of [−1, 1], so brighter cells are not clipped.
      const h = options.headroom ?? 1;
      data = normalizePlatePercentile(shard.data, {
        lo,
        hi: hi.map((v, c) => lo[c] + h * (v - lo[c])) as [number, number, number],
      });
    }
    const side = size || s;
    if (side !== s) data = resizeCrops(data, n, s, side);
    await writeShard(join(out, shardName), {
      header: { ...shard.header, dtype: "float32", shape: [n, side, side, 3], normalization: method },
      data,
    });
    hooks.progress?.tick();
  }
  for (const table of [CELL_TABLE, TRAINING_TABLE]) {
    const from = join(input, table);
    if (table === CELL_TABLE || await Deno.stat(from).then(() => true, () => false)) {
      await writeFileAtomic(join(out, table), await Deno.readFile(from));
    }
  }
  return { cells: rows.length, shards: shards.length };
}
