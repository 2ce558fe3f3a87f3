/**
 * `crop_set`: a data source of already-segmented cells — a folder of single-cell crops with an index CSV
 * (`file, plate, well, compound, concentration, moa`; `.npy` or 8-bit RGB `.png`, see lib/data/crops.ts). It
 * outputs a crop store (cells.csv + uint16 shards, one per well, channels DNA, tubulin, actin) like
 * `segment`'s, so a profile can start the DAG here and skip segmentation (`real-crops`).
 *
 * Crops have no masks: the centre cell is segmented inside each crop (lib/profiling/classical.ts
 * `cropMasks`) to fill the table's nucleus and cell measurements; `centroid_x/y` are the nucleus centroid in
 * crop coordinates, as the field position is unknown.
 *
 * The key includes a fingerprint of the folder (the index's digest and every crop's size).
 * @module
 */
import { isAbsolute, join, resolve } from "node:path";
import { defineTask, p } from "../workflow/mod.ts";

const dirOf = (dir: string, root: string) => (isAbsolute(dir) ? dir : resolve(root, dir));

/** The crop-set source task. */
export const cropSet = defineTask({
  name: "crop_set",
  version: 1,
  description: "single-cell crops from a crop-set folder, as a crop store",
  params: {
    dir: p.string("../shared/data/bbbc021/crops", { doc: "crop-set folder (relative to the project root)" }),
    index: p.string("index.csv", { doc: "index file inside the folder" }),
    channelOrder: p.oneOf(["dna-tubulin-actin", "dna-actin-tubulin"], "dna-actin-tubulin", {
      doc: "the files' channel order (BBBC021 crops in ../shared: DNA, actin, tubulin)",
    }),
    batch: p.string("", {
      doc: "batch of every crop when the index has no batch column (default: plate's WeekN)",
    }),
  },
  async fingerprint(params, root) {
    const { sha256 } = await import("../workflow/hash.ts");
    const { readCropIndex } = await import("../lib/data/crops.ts");
    const dir = dirOf(params.dir, root);
    const records = await readCropIndex(dir, { index: params.index, checkFiles: false });
    const sizes: string[] = [];
    for (const r of records) {
      const stat = await Deno.stat(join(dir, r.file)).catch(() => undefined);
      sizes.push(`${r.file} ${stat?.size ?? "missing"}`);
    }
    return sha256(await Deno.readTextFile(join(dir, params.index)) + "\n" + sizes.join("\n"));
  },
  async run(ctx) {
    const { readCropIndex, loadCrop } = await import("../lib/data/crops.ts");
    const { writeShard, formatCellTable } = await import("../lib/imaging/shards.ts");
    const { CELL_TABLE } = await import("../lib/imaging/crop_store.ts");
    const { cropMasks } = await import("../lib/profiling/classical.ts");
    const { shapeFeatures, moments } = await import("../lib/profiling/shape.ts");
    type CellRow = import("../lib/imaging/shards.ts").CellRow;

    const dir = dirOf(ctx.params.dir, ctx.root);
    const records = await readCropIndex(dir, { index: ctx.params.index });
    if (records.length === 0) throw new Error(`Crop set '${join(dir, ctx.params.index)}' lists no crops`);
    ctx.log.info(`${records.length} crops in ${dir}`);
    ctx.progress.start(records.length, "crops");
    // One shard per plate and well, in index order of first appearance.
    const groups = new Map<string, number[]>();
    records.forEach((r, i) => {
      const key = `${r.plate}/${r.well}`;
      const g = groups.get(key);
      if (g) g.push(i);
      else groups.set(key, [i]);
    });
    const rows: CellRow[] = [];
    let size = 0;
    for (const [key, indices] of groups) {
      ctx.signal.throwIfAborted();
      const [plate, well] = key.split("/");
      const images = [];
      for (const i of indices) {
        const img = await loadCrop(dir, records[i], { channelOrder: ctx.params.channelOrder });
        if (img.width !== img.height) {
          throw new Error(
            `Cannot use crop '${
              join(dir, records[i].file)
            }': expected a square crop, found ${img.width}×${img.height}`,
          );
        }
        if (size === 0) size = img.width;
        if (img.width !== size) {
          throw new Error(
            `Cannot use crop '${
              join(dir, records[i].file)
            }': expected ${size}×${size} like the first crop, found ${img.width}×${img.height}`,
          );
        }
        if (img.dtype === "float32") {
          throw new Error(
            `Cannot use crop '${
              join(dir, records[i].file)
            }': expected raw uint8/uint16 intensities, found float32`,
          );
        }
        images.push(img);
      }
      const per = size * size * 3;
      const data = new Uint16Array(indices.length * per);
      images.forEach((img, k) => data.set(img.data, k * per));
      const shard = `shards/${plate}/${well}.crops`;
      await writeShard(join(ctx.out, shard), {
        header: {
          dtype: "uint16",
          shape: [indices.length, size, size, 3],
          order: "NHWC",
          channels: ["DNA", "tubulin", "actin"],
          normalization: "none",
          plate,
          well,
          source: "crop_set",
        },
        data,
      });
      images.forEach((img, k) => {
        const r = records[indices[k]];
        const masks = cropMasks({ size, data: img.data });
        const nucleus = moments(masks.nucleus, size);
        const cellArea = moments(masks.cell, size).area;
        const shape = shapeFeatures(masks.nucleus, size);
        const site = Number(r.extra.site ?? 1);
        rows.push({
          plate,
          well,
          site: Number.isFinite(site) ? site : 1,
          compound: r.compound,
          concentration: r.concentration,
          moa: r.moa,
          batch: r.extra.batch || ctx.params.batch || /^(Week\d+)_/.exec(plate)?.[1] || plate,
          shard,
          index: k,
          centroidX: Number.isFinite(nucleus.cx) ? nucleus.cx : size / 2,
          centroidY: Number.isFinite(nucleus.cy) ? nucleus.cy : size / 2,
          nucleusArea: nucleus.area,
          cellArea,
          eccentricity: Number.isFinite(shape[3]) ? shape[3] : 0,
          solidity: Number.isFinite(shape[6]) ? shape[6] : 0,
        });
        ctx.progress.tick();
      });
    }
    await Deno.writeTextFile(join(ctx.out, CELL_TABLE), formatCellTable(rows));
    ctx.log.info(`${rows.length} crops of ${size}×${size} in ${groups.size} shards`);
  },
});
