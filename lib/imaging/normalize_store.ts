/**
 * Normalises a whole crop store: raw uint16 crops → float32 in [−1, 1] by `crop-max` or `plate-percentile`
 * (see normalize.ts), optionally resampled to a side; shards mirror the input's and cells.csv is carried
 * over. The `normalize` task and `deno task embed` both use it, so new cells are prepared exactly as the
 * training cells were.
 * @module
 */
import { join } from "node:path";
import { readCropTable } from "./crop_store.ts";
import {
  IntensityHistogram,
  normalizeCropMax,
  normalizePlatePercentile,
  type PlateScaling,
  plateScaling,
} from "./normalize.ts";
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
}

/** The `normalize` task's defaults. */
export const STORE_NORMALIZATION_DEFAULTS: Readonly<StoreNormalization> = {
  method: "plate-percentile",
  size: 0,
  lowQuantile: 0.001,
  highQuantile: 0.999,
};

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
  await Deno.mkdir(out, { recursive: true });
  const rows = await readCropTable(input);
  const shards = [...new Set(rows.map((r) => r.shard))];
  hooks.progress?.start(shards.length * (method === "plate-percentile" ? 2 : 1), "shards");

  // plate-percentile: histograms of every plate's DMSO crops (and of all its crops, as a fallback).
  const scalings = new Map<string, PlateScaling>();
  if (method === "plate-percentile") {
    const dmso = new Map<string, IntensityHistogram>();
    const all = new Map<string, IntensityHistogram>();
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
        const hist = (m: Map<string, IntensityHistogram>) => {
          let h = m.get(r.plate);
          if (!h) m.set(r.plate, h = new IntensityHistogram(16));
          return h;
        };
        hist(all).add(planes, mask);
        if (r.compound === "DMSO") hist(dmso).add(planes, mask);
      }
      hooks.progress?.tick();
    }
    for (const [plate, h] of all) {
      const scaling = plateScaling(dmso.get(plate) ?? null, h, lowQuantile, highQuantile);
      scalings.set(plate, scaling);
      hooks.log?.(
        `${plate}: lo ${scaling.lo.map((v) => v.toFixed(0))}, hi ${
          scaling.hi.map((v) => v.toFixed(0))
        } (${scaling.source})`,
      );
    }
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
      data = normalizePlatePercentile(shard.data, scalings.get(plate)!);
    }
    const side = size || s;
    if (side !== s) data = resizeCrops(data, n, s, side);
    await writeShard(join(out, shardName), {
      header: { ...shard.header, dtype: "float32", shape: [n, side, side, 3], normalization: method },
      data,
    });
    hooks.progress?.tick();
  }
  await Deno.copyFile(join(input, "cells.csv"), join(out, "cells.csv"));
  await Deno.copyFile(join(input, "cells.csv"), join(out, "cells.csv"));
  return { cells: rows.length, shards: shards.length };
}
