/**
 * `segment`: a BBBC021-format dataset (synthetic or downloaded) → a crop store of single cells. Per plate:
 * illumination correction (Singh et al. 2014), nuclei from DNA (Otsu, fill, remove small, distance-transform
 * watershed), cells by seeded watershed on tubulin + actin, a square crop around each nucleus (raw uint16,
 * channels DNA, tubulin, actin). A field with no cells, a blank or saturated field, a missing channel file or
 * a decode failure is recorded in `report.json` and skipped, with one log line naming the field and why.
 * Fields with none of their files in the image folder (a folder holding a subset of BBBC021) are not
 * attempted: one line says how many. See lib/imaging/.
 *
 * Sharded by plate (lib/imaging/segment_shards.ts): each plate is its own attempt, cached on its own (adding
 * a plate segments only that plate), run side by side on the free cores or as Slurm jobs, and a cheap merge
 * (lib/imaging/merge_segmentations.ts) writes the crop store one run on all plates would have written.
 * @module
 */
import { defineTask, oneOf, p } from "../workflow/mod.ts";
import { fetchBbbc021 } from "./fetch_bbbc021.ts";
import { synthesize } from "./synthesize.ts";

/** The segmentation task. */
export const segment = defineTask({
  name: "segment",
  version: 1,
  description: "single-cell crops segmented from the fields (illumination correction, nuclei, cells)",
  inputs: { dataset: oneOf(synthesize, fetchBbbc021) },
  // A shard is one plate; `ctx.threads` workers segment its fields.
  threaded: true,
  resources: { cpus: 1, memGiB: 4, minutes: 240 },
  params: {
    cropSize: p.int(96, { min: 8, max: 512, doc: "crop side in pixels (the paper: 96)" }),
    diameter: p.number(25, {
      min: 3,
      max: 200,
      doc:
        "typical nucleus diameter in pixels (synthetic data: 25; real BBBC021: 36, as the paper profile sets)",
    }),
    splitDepth: p.number(0, {
      min: 0,
      max: 50,
      doc: "how much a neck must narrow two touching nuclei to split them, px (0: diameter × 0.14)",
    }),
    maskOutsideCell: p.bool(false, { doc: "zero pixels outside the cell's mask (as the authors' code did)" }),
    illumination: p.bool(true, { doc: "per-plate illumination correction" }),
    maxFields: p.int(0, { min: 0, doc: "only the first N fields of the image table (0: all)" }),
  },
  async shards(params, inputs) {
    const { segmentShards } = await import("../lib/imaging/segment_shards.ts");
    return await segmentShards(inputs.dataset, params.maxFields);
  },
  async merge(ctx) {
    const { openDataset } = await import("../lib/data/dataset.ts");
    const { mergeSegmentations } = await import("../lib/imaging/merge_segmentations.ts");
    const where = await openDataset(ctx.inputs.dataset);
    const summary = await mergeSegmentations(where.metadataDir, Object.values(ctx.shards!), ctx.out);
    ctx.log.info(
      `${
        Object.keys(ctx.shards!).length
      } shards: ${summary.fields} fields, ${summary.crops} cells, statuses ${
        JSON.stringify(summary.statuses)
      }`,
    );
    if (summary.fields === 0) {
      throw new Error(`None of the fields of the dataset has a file: nothing to segment (see report.json)`);
    }
    if (summary.crops === 0) {
      throw new Error(`No cells were segmented in ${summary.fields} fields: see report.json`);
    }
  },
  async run(ctx) {
    const { openDataset } = await import("../lib/data/dataset.ts");
    const { segmentDataset } = await import("../lib/imaging/plate.ts");
    const where = await openDataset(ctx.inputs.dataset);
    let started = false;
    // One plate (a shard), or every plate (the shard `all`, when maxFields counts fields across plates).
    const plate = ctx.shard && ctx.shard !== "all" ? ctx.shard : undefined;
    const summary = await segmentDataset(where.metadataDir, ctx.out, {
      imageRoot: where.imageRoot,
      plates: plate ? [plate] : where.plates,
      allowNoFields: plate !== undefined,
      cropSize: ctx.params.cropSize,
      diameter: ctx.params.diameter,
      nuclei: ctx.params.splitDepth > 0 ? { h: ctx.params.splitDepth } : undefined,
      maskOutsideCell: ctx.params.maskOutsideCell,
      illumination: ctx.params.illumination,
      maxFields: ctx.params.maxFields || undefined,
      normalization: "none",
      jobs: ctx.threads,
      onStart(plan) {
        const plates = `${plan.plates} plate${plan.plates === 1 ? "" : "s"}`;
        if (plan.absent > 0) {
          ctx.log.warn(
            `${plan.absent} of ${plan.listed} fields listed have no files under ${plan.imageRoot}: not attempted; ${plan.fields} fields (${plates}) to segment`,
          );
        }
        if (plan.uncorrected.length > 0) {
          const list = plan.uncorrected.map((u) => `${u.plate} (${u.fields})`).join(", ");
          ctx.log.warn(
            `no illumination correction for plates with fewer than ${plan.minIlluminationFields} complete fields, too few for a per-plate function: ${list}`,
          );
        }
      },
      onProgress(done, total, report) {
        if (!started) ctx.progress.start(total, "fields");
        started = true;
        ctx.progress.set(done);
        if (report.status !== "ok") {
          ctx.log.warn(
            `skipped field ${report.plate} ${report.well} s${report.site} (${report.status}): ${report.message}`,
          );
        }
      },
    });
    ctx.log.info(
      `${summary.fields} fields, ${summary.crops} cells, statuses ${JSON.stringify(summary.statuses)} in ${
        summary.seconds.toFixed(1)
      } s`,
    );
    if (!plate && summary.crops === 0) {
      throw new Error(`No cells were segmented in ${summary.fields} fields: see report.json`);
    }
  },
});
