/**
 * `gallery`: the dataset in numbers and strips of example cells per treatment and per MOA, from the
 * normalised crops (lib/figures/gallery.ts), for the site's MOA explorer and data pages.
 * @module
 */
import { defineTask, p } from "../workflow/mod.ts";
import { normalize } from "./normalize.ts";

/** The gallery task. */
export const gallery = defineTask({
  name: "gallery",
  version: 1,
  description: "example cells per treatment and per MOA, and the dataset in numbers (for the site)",
  inputs: { crops: normalize },
  publish: true,
  params: {
    seed: p.int(0, { min: 0 }),
    perTreatment: p.int(6, { min: 1, max: 32, doc: "cells per treatment strip" }),
    perMoa: p.int(12, { min: 1, max: 64, doc: "cells per MOA strip" }),
  },
  async run(ctx) {
    const { makeGallery } = await import("../lib/figures/gallery.ts");
    const g = await makeGallery(ctx.inputs.crops, ctx.out, ctx.params);
    ctx.log.info(
      `${g.treatments.length} treatment and ${g.moas.length} MOA strips from ${g.counts.cells} cells`,
    );
  },
});
