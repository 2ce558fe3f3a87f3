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
import { CROP_SET_DEFAULTS } from "../lib/data/crop_set_defaults.ts";

const dirOf = (dir: string, root: string) => (isAbsolute(dir) ? dir : resolve(root, dir));

/** The crop-set source task. */
export const cropSet = defineTask({
  name: "crop_set",
  version: 1,
  description: "single-cell crops from a crop-set folder, as a crop store",
  params: {
    dir: p.string("../shared/data/bbbc021/crops", { doc: "crop-set folder (relative to the project root)" }),
    index: p.string(CROP_SET_DEFAULTS.index, { doc: "index file inside the folder" }),
    channelOrder: p.oneOf(["dna-tubulin-actin", "dna-actin-tubulin"], CROP_SET_DEFAULTS.channelOrder, {
      doc: "the files' channel order (BBBC021 crops in ../shared: DNA, actin, tubulin)",
    }),
    batch: p.string(CROP_SET_DEFAULTS.batch, {
      doc: "batch of every crop when the index has no batch column (default: plate's WeekN)",
    }),
    trainingDirs: p.strings([], {
      doc: "further crop-set folders (same index, channels) whose cells only train the GANs, never profiled",
    }),
  },
  async fingerprint(params, root) {
    const { sha256 } = await import("../workflow/hash.ts");
    const { readCropIndex } = await import("../lib/data/crops.ts");
    const parts: string[] = [];
    for (const folder of [params.dir, ...params.trainingDirs]) {
      const dir = dirOf(folder, root);
      const records = await readCropIndex(dir, { index: params.index, checkFiles: false });
      const sizes: string[] = [];
      for (const r of records) {
        const stat = await Deno.stat(join(dir, r.file)).catch(() => undefined);
        sizes.push(`${r.file} ${stat?.size ?? "missing"}`);
      }
      parts.push(await Deno.readTextFile(join(dir, params.index)) + "\n" + sizes.join("\n"));
    }
    // One folder hashes as it always did, so existing keys stand.
    return sha256(parts.join("\n\n"));
  },
  async run(ctx) {
    const { cropSetToStore } = await import("../lib/data/crop_set_store.ts");
    const { formatCellTable } = await import("../lib/imaging/shards.ts");
    const { TRAINING_TABLE } = await import("../lib/imaging/crop_store.ts");
    const hooks = { progress: ctx.progress, log: (line: string) => ctx.log.info(line), signal: ctx.signal };
    await cropSetToStore(dirOf(ctx.params.dir, ctx.root), ctx.out, ctx.params, hooks);
    // Training-only folders: shards under training/<k>/ (their plates and wells may repeat the first's), rows
    // in training.csv, which only the trainings read.
    const rows = [];
    for (const [k, folder] of ctx.params.trainingDirs.entries()) {
      const part = `${TRAINING_TABLE}.${k}`;
      const written = await cropSetToStore(dirOf(folder, ctx.root), ctx.out, {
        ...ctx.params,
        shards: `training/${k}`,
        table: part,
      }, hooks);
      await Deno.remove(join(ctx.out, part));
      rows.push(...written.rows);
    }
    if (rows.length) await Deno.writeTextFile(join(ctx.out, TRAINING_TABLE), formatCellTable(rows));
  },
});
