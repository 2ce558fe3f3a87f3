/**
 * The gallery: the dataset in numbers (plates, batches, wells, treatments, cells per MOA) and strips of
 * example cells per treatment and per MOA, drawn from a normalised crop store, for the site's MOA explorer and
 * data pages. Layout of the output: docs/results.md.
 *
 * The strips show the crops as the networks see them, so their brightness is the normalisation's: with
 * plate-percentile scaling, a plate's cells are as bright as its reference cells allow. When that reference
 * was one or two DMSO cells (moa-crops before lib/imaging/plate_scaling.ts), a dim reference cell saturated
 * its plate's treated cells and a bright one darkened them; gallery.json now says how each plate was scaled
 * (the store's scaling.json).
 * @module
 */
import { join } from "node:path";
import { treatmentKey } from "../data/bbbc021.ts";
import { writeFileAtomic } from "../data/atomic_write.ts";
import { Rng } from "../data/rng.ts";
import { readCrops, readCropTable } from "../imaging/crop_store.ts";
import { SCALING_FILE, type ScalingFile } from "../imaging/normalize_store.ts";
import type { ScalingSource } from "../imaging/plate_scaling.ts";
import type { CellRow } from "../imaging/shards.ts";
import { imageGridPng } from "./image_grid.ts";

/** Options of {@link makeGallery}. */
export interface GalleryOptions {
  /** Seed of the cells drawn. */
  seed: number;
  /** Cells per treatment strip. */
  perTreatment: number;
  /** Cells per MOA strip. */
  perMoa: number;
}

/** One strip of example cells. */
export interface GalleryStrip {
  /** The PNG, relative to the gallery folder. */
  image: string;
  /** Cells in it (fewer than asked when the group has fewer). */
  n: number;
}

/** A treatment (compound at a concentration) of the crop set. */
export interface GalleryTreatment extends GalleryStrip {
  /** `compound@concentration`, as evaluation.json names it. */
  treatment: string;
  compound: string;
  concentration: number;
  /** MOA, or null when unannotated. */
  moa: string | null;
  batches: string[];
  wells: number;
  cells: number;
}

/** An MOA (or `DMSO`) of the crop set. */
export interface GalleryMoa extends GalleryStrip {
  moa: string;
  treatments: number;
  compounds: number;
  cells: number;
}

/** `gallery.json`. */
export interface Gallery {
  /** Side of the crops, pixels. */
  cropSize: number;
  /** Integer enlargement of each crop in the strips. */
  scale: number;
  /** The channels, in the order shown as red, green, blue. */
  channels: string[];
  /** The normalisation recorded in the crops. */
  normalization: string;
  counts: {
    plates: number;
    batches: number;
    wells: number;
    treatments: number;
    compounds: number;
    moas: number;
    cells: number;
  };
  moas: GalleryMoa[];
  treatments: GalleryTreatment[];
  /** Per plate; `scaling`: which cells set its plate-percentile scaling, and how many (null: not recorded). */
  plates: {
    plate: string;
    batch: string;
    wells: number;
    cells: number;
    scaling: { source: ScalingSource; cells: number } | null;
  }[];
  /** How the store's plates were scaled, in one line (plate-percentile), or null. */
  scaling: string | null;
}

/** Draws `k` distinct indices of `list` (all when it has ≤ k), in table order. */
function draw(list: number[], k: number, rng: Rng): number[] {
  if (list.length <= k) return [...list];
  const pool = [...list];
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, k).sort((a, b) => a - b);
}

function groupBy(rows: CellRow[], key: (r: CellRow) => string): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const k = key(r);
    const list = groups.get(k);
    if (list) list.push(i);
    else groups.set(k, [i]);
  });
  return groups;
}

/**
 * Writes `gallery.json` and `cells/*.png` into `outDir` from the normalised crop store `cropsDir`.
 *
 * @throws Error naming the store when it holds raw (uint16) crops or no cells.
 */
export async function makeGallery(
  cropsDir: string,
  outDir: string,
  options: GalleryOptions,
): Promise<Gallery> {
  const rows = await readCropTable(cropsDir);
  if (rows.length === 0) {
    throw new Error(`Cannot make a gallery of '${cropsDir}': expected cells, found none`);
  }
  const rng = new Rng(options.seed);
  const moaOf = (r: CellRow) => r.compound === "DMSO" ? "DMSO" : r.moa ?? "unannotated";
  const byTreatment = [...groupBy(rows, (r) => treatmentKey(r.compound, r.concentration))]
    .sort(([a], [b]) => a.localeCompare(b));
  const byMoa = [...groupBy(rows, moaOf)].sort(([a], [b]) => a.localeCompare(b));

  // Every cell shown, read in one pass.
  const treatmentPicks = byTreatment.map(([, list]) => draw(list, options.perTreatment, rng));
  const moaPicks = byMoa.map(([, list]) => draw(list, options.perMoa, rng));
  const wanted = [...new Set([...treatmentPicks.flat(), ...moaPicks.flat()])].sort((a, b) => a - b);
  const crops = await readCrops(cropsDir, { rows, indices: wanted });
  if (crops.dtype !== "float32") {
    throw new Error(
      `Cannot make a gallery of '${cropsDir}': expected normalised (float32) crops, found uint16`,
    );
  }
  const size = crops.size;
  const scale = Math.max(1, Math.round(64 / size));
  const position = new Map(wanted.map((row, k) => [row, k]));
  const data = crops.data as Float32Array;
  const per = size * size * 3;
  await Deno.mkdir(join(outDir, "cells"), { recursive: true });
  const strip = async (picks: number[], name: string): Promise<GalleryStrip> => {
    const buf = new Float32Array(picks.length * per);
    picks.forEach((row, k) => {
      const at = position.get(row)! * per;
      buf.set(data.subarray(at, at + per), k * per);
    });
    const png = imageGridPng(buf, picks.length, size, { columns: Math.max(1, picks.length), scale, gap: 2 });
    await writeFileAtomic(join(outDir, "cells", name), png);
    return { image: `cells/${name}`, n: picks.length };
  };

  const treatments: GalleryTreatment[] = [];
  for (const [i, [treatment, list]] of byTreatment.entries()) {
    const first = rows[list[0]];
    treatments.push({
      treatment,
      compound: first.compound,
      concentration: first.concentration,
      moa: first.compound === "DMSO" ? "DMSO" : first.moa,
      batches: [...new Set(list.map((j) => rows[j].batch))].sort(),
      wells: new Set(list.map((j) => `${rows[j].plate}/${rows[j].well}`)).size,
      cells: list.length,
      ...await strip(treatmentPicks[i], `t_${String(i).padStart(3, "0")}.png`),
    });
  }
  const moas: GalleryMoa[] = [];
  for (const [i, [moa, list]] of byMoa.entries()) {
    moas.push({
      moa,
      treatments: new Set(list.map((j) => treatmentKey(rows[j].compound, rows[j].concentration))).size,
      compounds: new Set(list.map((j) => rows[j].compound)).size,
      cells: list.length,
      ...await strip(moaPicks[i], `moa_${String(i).padStart(2, "0")}.png`),
    });
  }
  const scaling = await Deno.readTextFile(join(cropsDir, SCALING_FILE)).then(
    (text) => JSON.parse(text) as ScalingFile,
    (e) => {
      if (e instanceof Deno.errors.NotFound) return null;
      throw e;
    },
  );
  const scaledBy = new Map(scaling?.plates.map((p) => [p.plate, { source: p.source, cells: p.cells }]));
  const plates = [...groupBy(rows, (r) => r.plate)].sort(([a], [b]) => a.localeCompare(b)).map((
    [plate, list],
  ) => ({
    plate,
    batch: rows[list[0]].batch,
    wells: new Set(list.map((j) => rows[j].well)).size,
    cells: list.length,
    scaling: scaledBy.get(plate) ?? null,
  }));
  const gallery: Gallery = {
    cropSize: size,
    scale,
    channels: ["DNA", "tubulin", "actin"],
    normalization: crops.normalization,
    counts: {
      plates: plates.length,
      batches: new Set(rows.map((r) => r.batch)).size,
      wells: new Set(rows.map((r) => `${r.plate}/${r.well}`)).size,
      treatments: treatments.length,
      compounds: new Set(rows.map((r) => r.compound)).size,
      moas: byMoa.filter(([m]) => m !== "DMSO" && m !== "unannotated").length,
      cells: rows.length,
    },
    moas,
    treatments,
    plates,
    scaling: scaling?.summary ?? null,
  };
  await writeFileAtomic(
    join(outDir, "gallery.json"),
    new TextEncoder().encode(JSON.stringify(gallery, null, 2) + "\n"),
  );
  return gallery;
}
