/**
 * The untrained control on real cells, over many seeds: NSC per compound of an untrained discriminator
 * (the real-moa profile's: LSGAN, 32 px, width 0.25) on the 1,996 moa-crops cells (normalised as the profile
 * does: plate-percentile, headroom 2), for 8 initialisation seeds, per readout (the paper's `latent`, and the
 * same averaged over each cell's 8 flips and quarter turns) and per cell-level protocol. What one seed's number
 * is worth (its sd over seeds), and what the readout and the protocol add, without any training in the way.
 * Needs `../shared/data/bbbc021/moa-crops`. Writes bench/results/random_control.json.
 * @module
 */
import { join } from "node:path";
import { cropSetToStore } from "../lib/data/crop_set_store.ts";
import { readCrops } from "../lib/imaging/crop_store.ts";
import { normalizeStore, STORE_NORMALIZATION_DEFAULTS } from "../lib/imaging/normalize_store.ts";
import { selectBackend } from "../lib/models/backend.ts";
import { encodeFeatures } from "../lib/models/encode.ts";
import { Gan, ganConfig } from "../lib/models/gan.ts";
import { aggregate } from "../lib/profiling/aggregate.ts";
import { normalizeCells } from "../lib/profiling/cell_normalize.ts";
import { dropInvalidFeatures } from "../lib/profiling/clean.ts";
import { evaluateTreatments } from "../lib/profiling/evaluate.ts";
import type { ProfileRow, ProfileTable } from "../lib/profiling/types.ts";

const MOA_CROPS = new URL("../../shared/data/bbbc021/moa-crops", import.meta.url).pathname;
const SEEDS = 8;

/** The protocols: none, and cell-level ones centred on each batch's DMSO cells. */
const PROTOCOLS: Record<string, (t: ProfileTable<ProfileRow>) => ProfileTable<ProfileRow>> = {
  "cells-mean": (t) => t,
  "cells-zscore/batch": (t) => normalizeCells(t, { method: "zscore", center: "batch" }).table,
  "cells-whiten/batch": (t) => normalizeCells(t, { method: "whiten", center: "batch", shrinkage: 0.3 }).table,
};

const stats = (v: number[]) => {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
  return { mean: Math.round(mean * 1000) / 1000, sd: Math.round(sd * 1000) / 1000, values: v };
};

/** Runs the benchmark, writes `bench/results/random_control.json` and returns its numbers. */
export async function main(): Promise<Record<string, unknown>> {
  await selectBackend("wasm");
  const tmp = await Deno.makeTempDir({ prefix: "morphogan-random-control-" });
  try {
    await cropSetToStore(MOA_CROPS, join(tmp, "raw"), { channelOrder: "dna-actin-tubulin" });
    await normalizeStore(join(tmp, "raw"), join(tmp, "norm"), {
      ...STORE_NORMALIZATION_DEFAULTS,
      size: 32,
      headroom: 2,
    });
    const crops = await readCrops(join(tmp, "norm"));
    const keep = crops.rows.map((r, i) => [r, i] as const).filter(([r]) => r.moa !== null);
    const scores: Record<string, { nsc: number[]; map: number[] }> = {};
    const t0 = performance.now();
    for (let seed = 0; seed < SEEDS; seed++) {
      const gan = new Gan(ganConfig({ loss: "lsgan", size: 32, width: 0.25 }), undefined, seed);
      for (const [readout, symmetries] of [["latent", 1], ["latent, 8 symmetries", 8]] as const) {
        const f = await encodeFeatures(gan, crops.data as Float32Array, { symmetries });
        const d = f.length / crops.rows.length;
        const data = new Float32Array(keep.length * d);
        keep.forEach(([, i], k) => data.set(f.subarray(i * d, (i + 1) * d), k * d));
        const names = Array.from({ length: d }, (_, j) => `f${j}`);
        const cells = dropInvalidFeatures({
          features: names,
          data,
          rows: keep.map(([r]) => r),
        }, "cells").table;
        for (const [protocol, normalize] of Object.entries(PROTOCOLS)) {
          const r = evaluateTreatments(aggregate(normalize(cells), { by: "treatment" }), { nullSize: 1000 });
          const s = scores[`${readout} / ${protocol}`] ??= { nsc: [], map: [] };
          s.nsc.push(r.nsc.per_compound);
          s.map.push(r.map.map);
        }
      }
      gan.dispose();
    }
    const result = {
      benchmark: "random_control",
      date: new Date().toISOString(),
      machine: { cpus: navigator.hardwareConcurrency, os: Deno.build.os, deno: Deno.version.deno },
      cells: keep.length,
      seeds: SEEDS,
      network: "LSGAN's D, 32 px, width 0.25, untrained (Glorot-uniform from each seed)",
      normalization: "plate-percentile (batch fallback), headroom 2",
      seconds: Math.round((performance.now() - t0) / 100) / 10,
      nsc_per_compound: Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, stats(v.nsc)])),
      map: Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, stats(v.map)])),
    };
    await Deno.writeTextFile(
      new URL("./results/random_control.json", import.meta.url),
      JSON.stringify(result, null, 2) + "\n",
    );
    return { seconds: result.seconds, nsc_per_compound: result.nsc_per_compound };
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) console.log(JSON.stringify(await main(), null, 2));
