/**
 * `extract_classical`: CellProfiler-like hand-crafted features (lib/profiling/classical.ts) of the raw crops,
 * per cell: intensity, shape, radial distribution, texture, correlation. Writes a feature set
 * (lib/profiling/feature_store.ts). Its own module, so that its code digest covers no model code.
 * @module
 */
import { defineTask, oneOf, p } from "../workflow/mod.ts";
import { cropSet } from "./crop_set.ts";
import { segment } from "./segment.ts";

/** Classical hand-crafted features of the raw crops. */
export const extractClassical = defineTask({
  name: "extract_classical",
  version: 1,
  description:
    "per-cell CellProfiler-like features: intensity, shape, radial distribution, texture, correlation",
  inputs: { cells: oneOf(segment, cropSet) },
  params: {
    greyLevels: p.int(8, { min: 2, max: 64, doc: "Haralick grey levels" }),
    textureDistances: p.numbers([1, 3], { doc: "Haralick offsets in pixels" }),
    rings: p.int(4, { min: 1, max: 16, doc: "radial distribution rings" }),
  },
  async run(ctx) {
    const { readCropTable, readCrops } = await import("../lib/imaging/crop_store.ts");
    const { classicalFeatures, featureNames } = await import("../lib/profiling/classical.ts");
    const { writeFeatureSet } = await import("../lib/profiling/feature_store.ts");
    const options = {
      levels: ctx.params.greyLevels,
      distances: ctx.params.textureDistances,
      rings: ctx.params.rings,
    };
    const names = featureNames(options);
    const table = await readCropTable(ctx.inputs.cells);
    const data = new Float32Array(table.length * names.length);
    ctx.progress.start(table.length, "cells");
    // In chunks, so that only a chunk of crops is in memory at a time.
    const chunk = 2048;
    for (let i = 0; i < table.length; i += chunk) {
      ctx.signal.throwIfAborted();
      const indices = Array.from({ length: Math.min(chunk, table.length - i) }, (_, k) => i + k);
      const crops = await readCrops(ctx.inputs.cells, { rows: table, indices });
      if (crops.dtype !== "uint16") {
        throw new Error(
          `Cannot measure '${ctx.inputs.cells}': expected raw uint16 crops, found ${crops.dtype}`,
        );
      }
      const per = crops.size * crops.size * 3;
      for (let k = 0; k < indices.length; k++) {
        const f = classicalFeatures(
          { size: crops.size, data: crops.data.subarray(k * per, (k + 1) * per) },
          {},
          options,
        );
        data.set(f, (i + k) * names.length);
      }
      ctx.progress.set(i + indices.length);
    }
    await writeFeatureSet(ctx.out, { kind: "classical", names, data, rows: table });
    ctx.log.info(`${table.length} cells × ${names.length} features`);
  },
});
