/**
 * Levers for GAN features on real BBBC021 cells (issue 14), measured one at a time.
 *
 * `deno run -A bench/levers.ts --name NAME [settings]` trains one GAN on every real crop beside the project
 * (`../shared/data/bbbc021/moa-crops` + `crops`, 4,874 cells) with the given settings, and at chosen steps
 * (0 = the untrained D, the control) profiles the 1,996 moa-crops cells and scores NSC, NSCB and mAP per
 * compound under several readouts of D (the paper's `latent`, averaged over 8 symmetries, pooled layers) and
 * cell-level protocols, and the realism of G's samples (1-NN two-sample accuracy and spread in classical-feature
 * space). One JSON line per snapshot is appended to `bench/results/levers.jsonl`; a grid of samples per
 * snapshot is written beside it (`--pngs DIR`).
 *
 * ```
 * deno run -A bench/levers.ts --name aug --loss lsgan --augment dihedral --steps 2000 --snap 0,500,1000,2000
 * ```
 *
 * `deno task bench levers` (`main`) does not train (a lever run takes 10–15 min of one core): it summarises
 * every run recorded in levers.jsonl into `bench/results/levers.json` — per run its settings and, per snapshot,
 * the authors' protocol's NSC (raw `latent`) and a composite (mean NSC over the `latent` and `latent+pooled`
 * readouts averaged over 8 symmetries × batch-centred z-score and whitening), with the realism scores.
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { cropSetToStore } from "../lib/data/crop_set_store.ts";
import { readCrops } from "../lib/imaging/crop_store.ts";
import { normalizeStore, STORE_NORMALIZATION_DEFAULTS } from "../lib/imaging/normalize_store.ts";
import {
  IntensityHistogram,
  normalizePlatePercentile,
  type PlateScaling,
  plateScaling,
} from "../lib/imaging/normalize.ts";
import { resizeCrops } from "../lib/imaging/resize.ts";
import { imageGridPng } from "../lib/figures/image_grid.ts";
import { Rng } from "../lib/models/rng.ts";
import { selectBackend } from "../lib/models/backend.ts";
import { encodeFeatures, type FeatureLayer } from "../lib/models/encode.ts";
import { type Augmentation, GanTrainer, trainSettings } from "../lib/models/train.ts";
import type { Upsampling } from "../lib/models/hyperparams.ts";
import type { GanLoss } from "../lib/models/gan.ts";
import { aggregate } from "../lib/profiling/aggregate.ts";
import { classicalFeaturesBatch } from "../lib/profiling/classical.ts";
import { oneNnAccuracy, standardize } from "../lib/figures/realism.ts";
import { normalizeCells } from "../lib/profiling/cell_normalize.ts";
import { dropInvalidFeatures } from "../lib/profiling/clean.ts";
import { evaluateTreatments } from "../lib/profiling/evaluate.ts";
import type { ProfileRow, ProfileTable } from "../lib/profiling/types.ts";

const SHARED = new URL("../../shared/data/bbbc021/", import.meta.url).pathname;

const RESULTS = new URL("./results/levers.jsonl", import.meta.url).pathname;
const SUMMARY = new URL("./results/levers.json", import.meta.url).pathname;

/** The composite: these readouts × these protocols, NSC per compound averaged. */
const COMPOSITE = {
  readouts: ["latent8", "both8"],
  protocols: ["zscore_batch", "whiten_batch_0.3", "whiten_batch_1"],
} as const;

type Scores = Record<string, Record<string, { nsc: number; nscb: number; map: number }>>;
interface Snapshot {
  name: string;
  step: number;
  seconds: number;
  trainSeconds?: number;
  settings: Record<string, unknown>;
  realism?: { oneNn: number; spread: number };
  [readout: string]: unknown;
}

/** Summarises every lever run of levers.jsonl into levers.json (see the module doc). */
export async function main(): Promise<Record<string, unknown>> {
  const lines = (await Deno.readTextFile(RESULTS)).trim().split("\n").map((l) => JSON.parse(l) as Snapshot);
  const runs: Record<string, { settings: Record<string, unknown>; steps: Record<string, unknown>[] }> = {};
  for (const s of lines) {
    const scores = s as unknown as Scores;
    if (!scores.latent8?.[COMPOSITE.protocols[1]]) continue; // runs before the composite's protocols existed
    const values = COMPOSITE.readouts.flatMap((r) => COMPOSITE.protocols.map((p) => scores[r][p].nsc));
    const maps = COMPOSITE.readouts.flatMap((r) => COMPOSITE.protocols.map((p) => scores[r][p].map));
    const mean = (v: number[]) => Math.round(1000 * v.reduce((x, y) => x + y, 0) / v.length) / 1000;
    (runs[s.name] ??= { settings: s.settings, steps: [] }).steps.push({
      step: s.step,
      authors_nsc: scores.latent.raw.nsc,
      composite_nsc: mean(values),
      composite_map: mean(maps),
      best: Object.entries(scores).filter(([, v]) => typeof v === "object" && v && "raw" in v).flatMap((
        [r, v],
      ) => Object.entries(v).map(([p, x]) => ({ readout: r, protocol: p, nsc: x.nsc })))
        .sort((x, y) => y.nsc - x.nsc)[0],
      ...(s.realism ? { realism: s.realism } : {}),
      train_seconds: s.trainSeconds ?? null,
    });
  }
  const summary = {
    benchmark: "levers",
    date: new Date().toISOString(),
    data: "moa-crops (1,996 cells profiled) + crops (training only): real BBBC021",
    composite: `mean NSC per compound over ${COMPOSITE.readouts.join(", ")} × ${
      COMPOSITE.protocols.join(", ")
    }`,
    runs,
  };
  await Deno.writeTextFile(SUMMARY, JSON.stringify(summary, null, 1) + "\n");
  return { runs: Object.keys(runs).length, wrote: SUMMARY };
}

/** One lever run from the command line (see the module doc). */
async function cli(): Promise<void> {
  const { values: a } = parseArgs({
    args: Deno.args,
    options: {
      name: { type: "string", default: "run" },
      loss: { type: "string", default: "lsgan" },
      steps: { type: "string", default: "3000" },
      snap: { type: "string", default: "0,1000,2000,3000" },
      seed: { type: "string", default: "0" },
      size: { type: "string", default: "32" },
      width: { type: "string", default: "0.25" },
      batch: { type: "string", default: "64" },
      augment: { type: "string", default: "none" },
      upsample: { type: "string", default: "nearest" },
      noise: { type: "string", default: "0.1" },
      labels: { type: "string", default: "0.8,1" },
      lrD: { type: "string" },
      lrG: { type: "string" },
      normalize: { type: "string", default: "plate-percentile" },
      headroom: { type: "string", default: "1" },
      out: { type: "string", default: RESULTS },
      pngs: { type: "string", default: "" },
      cache: { type: "string", default: join(Deno.env.get("TMPDIR") ?? "/tmp", "morphogan-levers") },
    },
  });

  /** Normalised crops of one crop-set folder, cached on disk by settings. */
  async function prepared(folder: string, method: string, size: number) {
    const raw = join(a.cache!, `${folder}-raw`);
    const headroom = Number(a.headroom);
    const norm = join(a.cache!, `${folder}-${method}-${size}${headroom !== 1 ? `-h${headroom}` : ""}`);
    if (!await Deno.stat(join(raw, "cells.csv")).catch(() => null)) {
      await cropSetToStore(join(SHARED, folder), raw, { channelOrder: "dna-actin-tubulin" });
    }
    if (method === "global-percentile") return globalPercentile(raw, size);
    if (!await Deno.stat(join(norm, "cells.csv")).catch(() => null)) {
      await normalizeStore(raw, norm, {
        ...STORE_NORMALIZATION_DEFAULTS,
        method: method as "crop-max" | "plate-percentile",
        size,
        headroom,
      });
    }
    return await readCrops(norm);
  }

  /** One percentile scaling for all plates, from the DMSO cells of moa-crops and crops together. */
  let globalScaling: PlateScaling | null = null;
  async function globalPercentile(raw: string, size: number) {
    if (!globalScaling) {
      const h = new IntensityHistogram(16);
      for (const folder of ["moa-crops", "crops"]) {
        const c = await readCrops(join(a.cache!, `${folder}-raw`));
        const s = c.size, per = s * s * 3;
        const planes = [0, 1, 2].map(() => new Uint16Array(s * s));
        const mask = new Uint8Array(s * s).fill(1);
        c.rows.forEach((r, k) => {
          if (r.compound !== "DMSO") return;
          for (let i = 0; i < s * s; i++) {
            for (let ch = 0; ch < 3; ch++) planes[ch][i] = c.data[k * per + 3 * i + ch];
          }
          h.add(planes, mask);
        });
      }
      globalScaling = plateScaling(h, h);
      console.log("global scaling", globalScaling);
    }
    const c = await readCrops(raw);
    let data = normalizePlatePercentile(c.data, globalScaling);
    if (size !== c.size) data = resizeCrops(data, c.rows.length, c.size, size);
    return { ...c, data, size, dtype: "float32" as const };
  }

  /** NSC / NSCB per compound of cells under the cell-level protocols. */
  function score(cells: ProfileTable<ProfileRow>) {
    const clean = dropInvalidFeatures(cells, "cells").table;
    const out: Record<string, { nsc: number; nscb: number }> = {};
    const evalOf = (t: ProfileTable<ProfileRow>) => {
      const r = evaluateTreatments(aggregate(t, { by: "treatment", method: "mean" }), { nullSize: 100 });
      return { nsc: r.nsc.per_compound, nscb: r.nscb.per_compound, map: r.map.map };
    };
    out.raw = evalOf(clean);
    out.zscore = evalOf(normalizeCells(clean, { method: "zscore" }).table);
    out.zscore_batch = evalOf(normalizeCells(clean, { method: "zscore", center: "batch" }).table);
    out.zscore_plate = evalOf(
      normalizeCells(clean, { method: "zscore", center: "plate", minControls: 3 }).table,
    );
    for (const shrinkage of [0.1, 0.3, 1]) {
      out[`whiten_batch_${shrinkage}`] = evalOf(
        normalizeCells(clean, { method: "whiten", center: "batch", shrinkage }).table,
      );
    }
    return out;
  }

  const size = Number(a.size), method = a.normalize!;
  await selectBackend("wasm");
  const moa = await prepared("moa-crops", method, size);
  const extra = await prepared("crops", method, size);
  const train = new Float32Array(moa.data.length + extra.data.length);
  train.set(moa.data as Float32Array);
  train.set(extra.data as Float32Array, moa.data.length);
  const rows: ProfileRow[] = moa.rows.map((r) => ({
    plate: r.plate,
    well: r.well,
    batch: r.batch,
    compound: r.compound,
    concentration: r.concentration,
    moa: r.moa,
  }));
  const keep = rows.map((r, i) => [r, i] as const).filter(([r]) => r.moa !== null);

  const settings = trainSettings({
    loss: a.loss as GanLoss,
    size,
    width: Number(a.width),
    batchSize: Number(a.batch),
    seed: Number(a.seed),
    augment: a.augment as Augmentation,
    upsample: a.upsample as Upsampling,
    inputNoise: Number(a.noise),
    realLabelRange: a.labels!.split(",").map(Number) as [number, number],
    ...(a.lrD ? { lrD: Number(a.lrD) } : {}),
    ...(a.lrG ? { lrG: Number(a.lrG) } : {}),
  });
  const trainer = new GanTrainer(train, settings);
  const snaps = a.snap!.split(",").map(Number).sort((x, y) => x - y);
  const steps = Number(a.steps);
  const t0 = performance.now();
  const readouts: { name: string; layers: FeatureLayer[]; symmetries: 1 | 8 }[] = [
    { name: "latent", layers: ["latent"], symmetries: 1 },
    { name: "latent8", layers: ["latent"], symmetries: 8 },
    { name: "pooled8", layers: ["pooled"], symmetries: 8 },
    { name: "both8", layers: ["latent", "pooled"], symmetries: 8 },
  ];
  let trainSeconds = 0;
  for (let step = 0; step <= steps; step++) {
    if (step > 0) {
      const t = performance.now();
      await trainer.runStep();
      trainSeconds += (performance.now() - t) / 1000;
    }
    if (!snaps.includes(step)) continue;
    const result: Record<string, unknown> = {
      name: a.name,
      step,
      seconds: (performance.now() - t0) / 1000,
      trainSeconds,
      settings: { ...settings, normalize: method, headroom: Number(a.headroom) },
    };
    for (const r of readouts) {
      const f = await encodeFeatures(trainer.gan, moa.data as Float32Array, {
        layers: r.layers,
        symmetries: r.symmetries,
      });
      const d = f.length / rows.length;
      const data = new Float32Array(keep.length * d);
      keep.forEach(([, i], k) => data.set(f.subarray(i * d, (i + 1) * d), k * d));
      const names = Array.from({ length: d }, (_, j) => `x${j}`);
      result[r.name] = score({ features: names, data, rows: keep.map(([r]) => r) });
    }
    if (step > 0) {
      // Realism: 500 real moa-crops cells against 500 samples, in standardised classical-feature space.
      const n = 500, px = size * size * 3;
      const real = new Float32Array(n * px);
      for (let i = 0; i < n; i++) {
        const j = Math.floor(i * rows.length / n);
        real.set((moa.data as Float32Array).subarray(j * px, (j + 1) * px), i * px);
      }
      real.forEach((v, i) => (real[i] = (v + 1) / 2));
      const fake = (await trainer.sample(new Rng(11).fillNormal(new Float32Array(n * 100)))).map((v) =>
        (v + 1) / 2
      );
      const feats = [real, fake].map((x) => classicalFeaturesBatch(x, n, size));
      const dim = feats[0].length / n;
      const st = standardize(feats, dim);
      const k = st.columns.length;
      const spreadOf = (x: Float64Array) => {
        const m = new Float64Array(k);
        for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) m[j] += x[i * k + j] / n;
        let v = 0;
        for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) v += (x[i * k + j] - m[j]) ** 2 / n;
        return Math.sqrt(v);
      };
      result.realism = {
        oneNn: oneNnAccuracy(st.sets[0], st.sets[1], k).accuracy,
        spread: spreadOf(st.sets[1]) / spreadOf(st.sets[0]),
      };
      const z = new Rng(7).fillNormal(new Float32Array(36 * 100));
      const images = await trainer.sample(z);
      await Deno.writeFile(
        join(a.pngs || dirname(a.out!), `levers_${a.name}_${step}.png`),
        imageGridPng(images, 36, size, { scale: 2, columns: 6 }),
      );
    }
    const line = JSON.stringify(result);
    await Deno.writeTextFile(a.out!, line + "\n", { append: true });
    const brief = readouts.map((r) => {
      const s = result[r.name] as Record<string, { nsc: number }>;
      return `${r.name} ${(s.raw.nsc * 100).toFixed(0)}/${(s.zscore_batch.nsc * 100).toFixed(0)}/${
        (s["whiten_batch_0.3"].nsc * 100).toFixed(0)
      }`;
    }).join("  ");
    console.log(
      `${a.name} step ${step} (${((performance.now() - t0) / 1000).toFixed(0)} s): ${brief} ${
        JSON.stringify(result.realism ?? {})
      }`,
    );
  }
}

if (import.meta.main) await cli();
