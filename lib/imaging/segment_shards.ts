/**
 * How the `segment` task splits a dataset: one shard per plate (segmentation is per plate: its illumination
 * function and intensity scaling never look at another plate), each saying what it reads so that its cache
 * key covers only that. A plate's shard reads its rows of the metadata tables (its fingerprint) and its image
 * files: the folders holding them when they are inside the dataset's own folder; when the images are
 * elsewhere (a `dataset.json` pointing at a folder outside the cache), the pointer and the files' sizes and
 * modification times. With `maxFields`, which counts fields across plates, the whole dataset is one shard.
 *
 * @module
 */
import { dirname, join, relative } from "node:path";
import { readBbbc021Metadata } from "../data/bbbc021.ts";
import { openDataset } from "../data/dataset.ts";

/** One shard: its id (the plate, or `all`), the paths of the dataset it reads, and its fingerprint. */
export interface SegmentShard {
  id: string;
  reads: { dataset: string[] };
  fingerprint: string;
}

/** The shards of a dataset folder (the `segment` task's input). */
export async function segmentShards(datasetDir: string, maxFields: number): Promise<SegmentShard[]> {
  const where = await openDataset(datasetDir);
  const meta = await readBbbc021Metadata(where.metadataDir);
  const inside = !relative(datasetDir, where.imageRoot).startsWith("..");
  if (maxFields > 0) return [{ id: "all", reads: { dataset: [""] }, fingerprint: `maxFields ${maxFields}` }];
  const plates = [...new Set(meta.fields.map((f) => f.plate))].filter((p) =>
    !where.plates || where.plates.includes(p)
  );
  const shards: SegmentShard[] = [];
  for (const plate of plates) {
    const fields = meta.fields.filter((f) => f.plate === plate);
    const rows = JSON.stringify(fields);
    if (inside) {
      const base = relative(datasetDir, where.imageRoot);
      const dirs = [...new Set(fields.flatMap((f) => f.files.map((file) => dirname(join(base, file)))))];
      shards.push({
        id: plate,
        reads: { dataset: dirs.map((d) => (d === "." ? "" : `${d}/`)) },
        fingerprint: rows,
      });
    } else {
      const stats = await Promise.all(
        fields.flatMap((f) => f.files).map(async (file) => {
          const s = await Deno.stat(join(where.imageRoot, file)).catch(() => null);
          return s ? `${file} ${s.size} ${s.mtime?.getTime() ?? 0}` : `${file} absent`;
        }),
      );
      shards.push({
        id: plate,
        reads: { dataset: ["dataset.json"] },
        fingerprint: `${rows}\n${stats.join("\n")}`,
      });
    }
  }
  return shards;
}
