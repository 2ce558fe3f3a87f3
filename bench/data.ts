/**
 * Data benchmarks: synthetic field generation speed (512×512×3, one core, with
 * TIFF encoding) and 16-bit TIFF decode speed. Writes `bench/results/data.json`.
 *
 * Usage: `deno run -A bench/data.ts`
 *
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  planSyntheticDataset,
  renderSyntheticField,
  resolveSyntheticOptions,
} from "../lib/data/synthetic.ts";
import { decodeTiff, encodeTiff } from "../lib/data/tiff.ts";

/** Benchmark results. */
export interface DataBenchResult {
  /** Synthetic fields (512×512, 3 channels, with masks) rendered and TIFF-encoded per second on one core. */
  syntheticFieldsPerSecond: number;
  /** Fields measured. */
  syntheticFields: number;
  /** Mean cells per field. */
  cellsPerField: number;
  /** 16-bit 1280×1024 TIFF decodes per second. */
  tiffDecodesPerSecond: number;
  /** Decoded megapixels per second. */
  tiffDecodeMegapixelsPerSecond: number;
  /** When measured. */
  date: string;
  /** Deno version. */
  deno: string;
}

/** Runs the benchmarks, writes `bench/results/data.json` (or `outPath`), and returns the numbers. */
export async function main(outPath?: string): Promise<DataBenchResult> {
  const opts = resolveSyntheticOptions({ seed: 7, masks: true });
  const plan = planSyntheticDataset(opts);
  const fields = plan.fields.slice(0, 40);
  renderSyntheticField(plan, fields[0]); // warm up
  let cells = 0;
  const t0 = performance.now();
  for (const f of fields) {
    const r = renderSyntheticField(plan, f);
    cells += r.cellCount;
    for (const c of r.channels) encodeTiff({ width: r.width, height: r.height, data: c });
    encodeTiff({ width: r.width, height: r.height, data: r.cells }, { compression: "deflate" });
    encodeTiff({ width: r.width, height: r.height, data: r.nuclei }, { compression: "deflate" });
  }
  const synthSeconds = (performance.now() - t0) / 1000;

  const w = 1280, h = 1024;
  const data = new Uint16Array(w * h);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) % 4096 * 16;
  const bytes = encodeTiff({ width: w, height: h, data });
  decodeTiff(bytes);
  const n = 20;
  const t1 = performance.now();
  for (let i = 0; i < n; i++) decodeTiff(bytes);
  const decSeconds = (performance.now() - t1) / 1000;

  const result: DataBenchResult = {
    syntheticFieldsPerSecond: fields.length / synthSeconds,
    syntheticFields: fields.length,
    cellsPerField: cells / fields.length,
    tiffDecodesPerSecond: n / decSeconds,
    tiffDecodeMegapixelsPerSecond: (n * w * h) / 1e6 / decSeconds,
    date: new Date().toISOString(),
    deno: Deno.version.deno,
  };
  const out = outPath ?? join(dirname(fileURLToPath(import.meta.url)), "results", "data.json");
  await Deno.mkdir(dirname(out), { recursive: true });
  await Deno.writeTextFile(out, JSON.stringify(result, null, 2) + "\n");
  return result;
}

if (import.meta.main) console.log(JSON.stringify(await main(), null, 2));
