/**
 * Merges the outputs of {@link segmentDataset} run on parts of one dataset (one plate each, as the sharded
 * `segment` task runs it) into the output one run on the whole would have written, byte for byte:
 * `shards/<plate>/…` (hard-linked where the filesystem allows, else copied), `cells.csv` (plates in the
 * dataset's order), `plates.json` and `report.json` (fields in the image table's order, totals summed).
 *
 * @module
 */
import { join } from "node:path";
import { readBbbc021Metadata } from "../data/bbbc021.ts";
import { fieldKey, type FieldReport, type PlateRecord, type SegmentDatasetSummary } from "./plate.ts";
import { writeFileAtomic } from "./shards.ts";

type Report = { summary: Omit<SegmentDatasetSummary, "seconds">; fields: FieldReport[] };

/** A part's JSON file, or one error that names it. */
async function readPartJson<T>(path: string): Promise<T> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as T;
  } catch (e) {
    throw new Error(`mergeSegmentations: cannot read ${path}: ${(e as Error).message}`);
  }
}

/** Links (or copies) every file under `from` to the same place under `to`. */
async function linkTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    const [a, b] = [join(from, e.name), join(to, e.name)];
    if (e.isDirectory) await linkTree(a, b);
    else {
      try {
        await Deno.link(a, b);
      } catch {
        await Deno.copyFile(a, b);
      }
    }
  }
}

/**
 * Merges `parts` (output folders of {@link segmentDataset} on disjoint plates of the dataset whose metadata
 * is in `metadataDir`) into `outDir`. Returns the merged summary (without timing).
 */
export async function mergeSegmentations(
  metadataDir: string,
  parts: readonly string[],
  outDir: string,
): Promise<Omit<SegmentDatasetSummary, "seconds">> {
  const meta = await readBbbc021Metadata(metadataDir);
  const order = new Map(meta.fields.map((f, i) => [fieldKey(f), i]));
  const plateOrder = new Map<string, number>();
  meta.fields.forEach((f, i) => plateOrder.has(f.plate) || plateOrder.set(f.plate, i));
  const read = await Promise.all(parts.map(async (dir) => {
    const report = await readPartJson<Report>(join(dir, "report.json"));
    const plates = await readPartJson<Record<string, PlateRecord>>(join(dir, "plates.json"));
    const cells = await Deno.readTextFile(join(dir, "cells.csv"));
    const first = Object.keys(plates).map((p) => plateOrder.get(p) ?? Infinity);
    return { dir, report, plates, cells, at: Math.min(Infinity, ...first) };
  }));
  read.sort((a, b) => a.at - b.at);
  await Deno.mkdir(outDir, { recursive: true });
  const plates: Record<string, PlateRecord> = {};
  const header = read[0]?.cells.split("\n")[0] ?? "";
  const rows: string[] = [];
  const fields: FieldReport[] = [];
  for (const part of read) {
    for (const [plate, record] of Object.entries(part.plates)) {
      if (plates[plate]) throw new Error(`mergeSegmentations: plate '${plate}' is in more than one part`);
      plates[plate] = record;
      const shardDir = join(part.dir, "shards", plate);
      if (await Deno.stat(shardDir).then(() => true, () => false)) {
        await linkTree(shardDir, join(outDir, "shards", plate));
      }
    }
    const lines = part.cells.split("\n");
    if (lines[0] !== header) {
      throw new Error(
        `mergeSegmentations: ${join(part.dir, "cells.csv")} has columns '${lines[0]}', expected '${header}'`,
      );
    }
    rows.push(...lines.slice(1).filter((l) => l !== ""));
    fields.push(...part.report.fields);
  }
  fields.sort((a, b) => (order.get(fieldKey(a)) ?? Infinity) - (order.get(fieldKey(b)) ?? Infinity));
  const statuses: SegmentDatasetSummary["statuses"] = {};
  for (const r of fields) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const sum = (k: "fields" | "absent" | "crops" | "plates") =>
    read.reduce((a, p) => a + p.report.summary[k], 0);
  const summary = {
    fields: sum("fields"),
    absent: sum("absent"),
    statuses,
    crops: sum("crops"),
    plates: sum("plates"),
    options: read[0].report.summary.options,
  };
  await writeFileAtomic(join(outDir, "cells.csv"), [header, ...rows].join("\n") + "\n");
  await writeFileAtomic(join(outDir, "plates.json"), JSON.stringify(plates, null, 2) + "\n");
  await writeFileAtomic(join(outDir, "report.json"), JSON.stringify({ summary, fields }, null, 2) + "\n");
  return summary;
}
