/**
 * `normalize`: crop store (uint16) → network-ready crop store (float32 in [−1, 1]), optionally resampled to
 * the training size. Methods (lib/imaging/normalize.ts): `crop-max`, the paper's (each channel of each crop
 * divided by its own maximum), and `plate-percentile` (per plate and channel, the 0.1st–99.9th percentiles
 * of the plate's DMSO crops map to [−1, 1], keeping intensity differences between treatments).
 * Output shards mirror the input's, and cells.csv is carried over unchanged.
 *
 * The default is `plate-percentile` because it evaluates better. Measured on the quick profile (synthetic
 * data, 32 px, w = 0.25, 500 steps), NSC per compound under the authors' protocol, crop-max → plate-percentile:
 * DCGAN 0.565 → 0.623, WGAN-GP 0.421 → 0.535, LSGAN 0.614 → 0.648; NSCB per treatment 0.224 → 0.347,
 * 0.102 → 0.408, 0.184 → 0.286; with DMSO whitening NSCB 0.551 → 0.786, 0.520 → 0.724, 0.582 → 0.735 (NSC
 * 0.702 → 0.751, 0.741 → 0.713, 0.724 → 0.742). Crop-max discards each cell's absolute intensities, which carry
 * phenotype (dim cells, bright condensed DNA). The `paper` profile keeps crop-max, as the authors did.
 * @module
 */
import { join } from "node:path";
import { defineTask, oneOf, p } from "../workflow/mod.ts";
import { cropSet } from "./crop_set.ts";
import { segment } from "./segment.ts";

/** The normalisation task. */
export const normalize = defineTask({
  name: "normalize",
  version: 1,
  description: "crops normalised to [−1, 1] for the GANs (and resampled to the training size)",
  inputs: { crops: oneOf(segment, cropSet) },
  params: {
    method: p.oneOf(["crop-max", "plate-percentile"], "plate-percentile", {
      doc: "how intensities map to [−1, 1] (plate-percentile evaluates better; the paper used crop-max)",
    }),
    size: p.int(0, {
      min: 0,
      max: 512,
      doc: "resample crops to this side (0: keep); a multiple of 8 for the GANs",
    }),
    lowQuantile: p.number(0.001, {
      min: 0,
      max: 0.5,
      doc: "plate-percentile: lower quantile of DMSO pixels",
    }),
    highQuantile: p.number(0.999, {
      min: 0.5,
      max: 1,
      doc: "plate-percentile: upper quantile of DMSO pixels",
    }),
  },
  async run(ctx) {
    const { readCropTable } = await import("../lib/imaging/crop_store.ts");
    const { readShard, writeShard } = await import("../lib/imaging/shards.ts");
    const { IntensityHistogram, plateScaling, normalizeCropMax, normalizePlatePercentile } = await import(
      "../lib/imaging/normalize.ts"
    );
    const { resizeCrops } = await import("../lib/imaging/resize.ts");
    const { method, size, lowQuantile, highQuantile } = ctx.params;
    const input = ctx.inputs.crops;
    const rows = await readCropTable(input);
    const shards = [...new Set(rows.map((r) => r.shard))];
    ctx.progress.start(shards.length * (method === "plate-percentile" ? 2 : 1), "shards");

    // plate-percentile: histograms of every plate's DMSO crops (and of all its crops, as a fallback).
    const scalings = new Map<string, ReturnType<typeof plateScaling>>();
    if (method === "plate-percentile") {
      const dmso = new Map<string, InstanceType<typeof IntensityHistogram>>();
      const all = new Map<string, InstanceType<typeof IntensityHistogram>>();
      const rowsOf = Map.groupBy(rows, (r) => r.shard);
      for (const shardName of shards) {
        ctx.signal.throwIfAborted();
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
          const hist = (m: Map<string, InstanceType<typeof IntensityHistogram>>) => {
            let h = m.get(r.plate);
            if (!h) m.set(r.plate, h = new IntensityHistogram(16));
            return h;
          };
          hist(all).add(planes, mask);
          if (r.compound === "DMSO") hist(dmso).add(planes, mask);
        }
        ctx.progress.tick();
      }
      for (const [plate, h] of all) {
        const scaling = plateScaling(dmso.get(plate) ?? null, h, lowQuantile, highQuantile);
        scalings.set(plate, scaling);
        ctx.log.info(
          `${plate}: lo ${scaling.lo.map((v) => v.toFixed(0))}, hi ${
            scaling.hi.map((v) => v.toFixed(0))
          } (${scaling.source})`,
        );
      }
    }

    for (const shardName of shards) {
      ctx.signal.throwIfAborted();
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
      await writeShard(join(ctx.out, shardName), {
        header: { ...shard.header, dtype: "float32", shape: [n, side, side, 3], normalization: method },
        data,
      });
      ctx.progress.tick();
    }
    await Deno.copyFile(join(input, "cells.csv"), join(ctx.out, "cells.csv"));
    ctx.log.info(`${rows.length} crops in ${shards.length} shards, ${method}, ${size || "original"} px`);
  },
});
