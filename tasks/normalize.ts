/**
 * `normalize`: crop store (uint16) → network-ready crop store (float32 in [−1, 1]), optionally resampled to
 * the training size. Methods (lib/imaging/normalize.ts): `crop-max`, the paper's (each channel of each crop
 * divided by its own maximum), and `plate-percentile` (per plate and channel, the 0.1st–99.9th percentiles
 * of the plate's DMSO crops map to [−1, 1], keeping intensity differences between treatments). A plate with
 * fewer than `minControlCells` DMSO cells is scaled by its batch's DMSO cells, or by all its cells when the
 * batch has too few too (lib/imaging/plate_scaling.ts); `scaling.json` records each plate's choice.
 * Output shards mirror the input's, and cells.csv is carried over unchanged.
 *
 * `minControlCells` defaults to 8: the 0.1st–99.9th percentile range of k DMSO cells drawn from the 500 of
 * one real BBBC021 plate (../shared/data/bbbc021/crops, Week4_27481) is off that of all 500 by a median of
 * 54 % (k = 1), 36 % (4), 22 % (8), 14 % (20), 10 % (50); and moa-crops' batches hold 8–18 DMSO cells (its
 * plates 0–6), so 8 scales every moa-crops plate by its batch's DMSO cells, while 20 would leave them all to
 * their own cells (whatever their treatments). On moa-crops, one-cell DMSO scalings (the previous rule: any
 * plate with ≥ 1,000 DMSO pixels, i.e. one cell) clipped > 5 % of the pixels of 41 % of the cells, batch
 * DMSO 31 % (mostly tubulin of taxol and Eg5 inhibitor cells: brighter than any DMSO cell).
 *
 * The default is `plate-percentile` because it evaluates better. Measured on the quick profile (synthetic
 * data, 32 px, w = 0.25, 500 steps), NSC per compound under the authors' protocol, crop-max → plate-percentile:
 * DCGAN 0.565 → 0.623, WGAN-GP 0.421 → 0.535, LSGAN 0.614 → 0.648; NSCB per treatment 0.224 → 0.347,
 * 0.102 → 0.408, 0.184 → 0.286; with DMSO whitening NSCB 0.551 → 0.786, 0.520 → 0.724, 0.582 → 0.735 (NSC
 * 0.702 → 0.751, 0.741 → 0.713, 0.724 → 0.742). Crop-max discards each cell's absolute intensities, which carry
 * phenotype (dim cells, bright condensed DNA). The `paper` profile keeps crop-max, as the authors did.
 * @module
 */
import { defineTask, oneOf, p } from "../workflow/mod.ts";
import { cropSet } from "./crop_set.ts";
import { segment } from "./segment.ts";
import { SCALING_LEVELS } from "../lib/imaging/plate_scaling.ts";

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
    minControlCells: p.int(8, {
      min: 1,
      doc:
        "plate-percentile: fewest DMSO cells that scale a plate; below, its batch's DMSO cells, else all its cells",
    }),
    headroom: p.number(1, {
      min: 1,
      max: 16,
      doc: "plate-percentile: the DMSO range fills 1/headroom of [−1, 1], so brighter cells are not clipped",
    }),
    scalingLevel: p.oneOf(SCALING_LEVELS, "plate", {
      doc: "plate-percentile: whose DMSO cells scale a plate first: its own, its batch's, or all plates'",
    }),
  },
  async run(ctx) {
    const { normalizeStore } = await import("../lib/imaging/normalize_store.ts");
    const { method, size } = ctx.params;
    const { cells, shards } = await normalizeStore(ctx.inputs.crops, ctx.out, ctx.params, {
      progress: ctx.progress,
      log: (line) => ctx.log.info(line),
      signal: ctx.signal,
    });
    ctx.log.info(`${cells} crops in ${shards} shards, ${method}, ${size || "original"} px`);
  },
});
