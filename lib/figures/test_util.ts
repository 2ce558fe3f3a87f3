/**
 * Fixtures of the figure tests: synthetic cell crops, a fake generator whose nucleus size and tubulin
 * content are planted along known latent directions, and a complete set of `figures` task inputs (crop
 * store, three tiny untrained GANs with curves, profiles, evaluation) in a temporary directory.
 * @module
 */
import { join } from "node:path";
import { Gan, ganConfig } from "../models/gan.ts";
import { Rng } from "../models/rng.ts";
import { saveGan } from "../models/weights.ts";
import { type CellRow, formatCellTable, writeShard } from "../imaging/shards.ts";
import { FEATURE_SET_LABELS, PAPER_TABLE1 } from "../profiling/paper_table1.ts";
import { tableToJson } from "../profiling/table_io.ts";
import type { AggregateRow } from "../profiling/types.ts";
import type { FigureInputs } from "./figure_params.ts";
import { FEATURE_SET_IDS, MODELS } from "../models/registry.ts";
import type { ImageGenerator } from "./latent.ts";

/** Draws one cell into crop `k` of `out` (`[N, S, S, 3]` in [−1, 1]): a DNA disk, tubulin and actin around. */
export function drawCell(
  out: Float32Array,
  k: number,
  size: number,
  cell: { radius: number; tubulin: number; cx?: number; cy?: number },
): void {
  const cx = cell.cx ?? (size - 1) / 2, cy = cell.cy ?? (size - 1) / 2;
  const base = k * size * size * 3;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const r = Math.hypot(x - cx, y - cy);
      const i = base + (y * size + x) * 3;
      out[i] = r <= cell.radius ? 0.9 : -0.9;
      out[i + 1] = -1 + 2 * cell.tubulin * Math.exp(-((r / (size / 3)) ** 2));
      out[i + 2] = r > cell.radius && r < cell.radius + 3 ? 0.5 : -0.8;
    }
  }
}

/** `n` synthetic crops: nucleus radius and tubulin drawn at random. */
export function syntheticCrops(n: number, size: number, seed = 1): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n * size * size * 3);
  for (let k = 0; k < n; k++) {
    drawCell(out, k, size, {
      radius: size * (0.15 + 0.15 * rng.uniform()),
      tubulin: 0.3 + 0.5 * rng.uniform(),
      cx: (size - 1) / 2 + rng.uniform() - 0.5,
      cy: (size - 1) / 2 + rng.uniform() - 0.5,
    });
  }
  return out;
}

/**
 * A fake generator: the nucleus radius grows with z·u (u a unit vector along `nucleusAxis`) and the tubulin
 * content with z·v (`tubulinAxis`); nothing else of z matters.
 */
export function plantedGenerator(
  size: number,
  latentDim: number,
  nucleusAxis = 3,
  tubulinAxis = 7,
): ImageGenerator {
  return {
    latentDim,
    size,
    generate(z: Float32Array, n: number): Promise<Float32Array> {
      const out = new Float32Array(n * size * size * 3);
      for (let k = 0; k < n; k++) {
        const a = z[k * latentDim + nucleusAxis], b = z[k * latentDim + tubulinAxis];
        drawCell(out, k, size, {
          radius: Math.min(size / 2 - 1, Math.max(1.5, size * 0.2 + 1.5 * a)),
          tubulin: 0.5 + 0.3 * Math.tanh(b / 2),
        });
      }
      return Promise.resolve(out);
    },
  };
}

const MOAS = ["Actin disruptors", "DNA damage", "Eg5 inhibitors", "DMSO"];

/** Treatment profiles clustered by MOA (`d` features), as `aggregate` writes them. */
function profiles(d: number, seed: number): string {
  const rng = new Rng(seed);
  const rows: AggregateRow[] = [];
  const data: number[] = [];
  MOAS.forEach((moa, m) => {
    for (let c = 0; c < 3; c++) {
      const compound = moa === "DMSO" ? "DMSO" : `${moa.slice(0, 3)}-${c}`;
      rows.push({
        plate: "P1",
        well: `P1/B0${c + 2}`,
        batch: "Week1",
        compound,
        concentration: moa === "DMSO" ? c : 1,
        moa,
        plates: ["P1"],
        batches: ["Week1"],
        wells: [`P1/B0${c + 2}`],
        count: 10,
      });
      for (let j = 0; j < d; j++) data.push((j % MOAS.length === m ? 3 : 0) + rng.normal());
    }
  });
  return tableToJson({
    features: Array.from({ length: d }, (_, j) => `f${j}`),
    rows,
    data: Float64Array.from(data),
  });
}

/**
 * Writes a crop store of one shard (`shards/a.crops`) and its cells.csv into `dir`: `crops` NHWC values of
 * side `size`; each row's metadata from `meta(i)` over DMSO on plate P1, well B02, Week1 (geometry fixed).
 */
export async function writeCropStore(
  dir: string,
  crops: Float32Array | Uint16Array,
  size: number,
  meta: (i: number) => Partial<CellRow>,
  options: { normalization?: "crop-max" | "plate-percentile" } = {},
): Promise<void> {
  const n = crops.length / (size * size * 3);
  await writeShard(join(dir, "shards/a.crops"), {
    header: {
      dtype: crops instanceof Float32Array ? "float32" : "uint16",
      shape: [n, size, size, 3],
      order: "NHWC",
      channels: ["DNA", "tubulin", "actin"],
      normalization: options.normalization ?? "plate-percentile",
    },
    data: crops,
  });
  await Deno.writeTextFile(
    join(dir, "cells.csv"),
    formatCellTable(Array.from({ length: n }, (_, i) => ({
      plate: "P1",
      well: "B02",
      site: 1,
      compound: "DMSO",
      concentration: 0,
      moa: "DMSO",
      batch: "Week1",
      shard: "shards/a.crops",
      index: i,
      centroidX: 10,
      centroidY: 10,
      nucleusArea: 20,
      cellArea: 80,
      eccentricity: 0.5,
      solidity: 0.9,
      ...meta(i),
    }))),
  );
}

/** The feature sets of the fixture, in Table 1's order. */
const SETS = [...FEATURE_SET_IDS];

/** The training seeds of each GAN in the fixture: LSGAN has a replicate. */
const FIXTURE_SEEDS: Record<string, number[]> = Object.fromEntries(
  MODELS.map((m) => [m.id, m.id === "lsgan" ? [0, 1] : [0]]),
);

const scores = (v: number) => ({
  nsc_per_compound: v,
  nsc_per_treatment: v + 0.02,
  nsc_n: 9,
  nscb_per_compound: v - 0.1,
  nscb_per_treatment: v - 0.08,
  nscb_n: 9,
});

/**
 * A `table1.json` as `evaluate` writes it: per feature set, ours (cells-mean) and best with the number of
 * seeds and their sd, and for the GANs the untrained control under the best protocol; then the paper's other
 * methods. `legacy`: as written before replicate seeds (no `n_seeds`, `sd` or `control`).
 */
export function table1Fixture(legacy = false): { rows: unknown[] } {
  const entry = (protocol: string, v: number, seeds: number) =>
    legacy ? { protocol, ...scores(v) } : {
      protocol,
      n_seeds: seeds,
      sd: seeds > 1 ? { nsc_per_compound: 0.04, nscb_per_compound: 0.06 } : { nsc_per_compound: 0 },
      ...scores(v),
    };
  const rows: unknown[] = SETS.map((set, i) => {
    const paper = PAPER_TABLE1.find((r) => r.set === set);
    const v = 0.3 + 0.1 * i, seeds = FIXTURE_SEEDS[set]?.length ?? 1;
    const gan = set in FIXTURE_SEEDS;
    return {
      method: FEATURE_SET_LABELS[set],
      set,
      ours: entry("cells-mean", v, seeds),
      best: entry("wells-mean/robustize", v + 0.05, seeds),
      ...(legacy ? {} : { control: gan ? entry("wells-mean/robustize", 0.27, 1) : null }),
      paper: paper
        ? { method: paper.method, nsc: paper.nsc, draft: paper.draft ?? null, source: paper.source }
        : null,
    };
  });
  for (const r of PAPER_TABLE1.filter((r) => r.set === null)) {
    rows.push({
      method: r.method,
      set: null,
      ours: null,
      best: null,
      ...(legacy ? {} : { control: null }),
      paper: { method: r.method, nsc: r.nsc, draft: r.draft ?? null, source: r.source },
    });
  }
  return { rows };
}

/**
 * Writes a complete set of `figures` inputs under `dir`: `cells` normalised crops of `size` px (of three
 * MOAs and DMSO in turn), every GAN of the registry tiny and untrained (with curves.json, train.json; LSGAN with a replicate
 * seed under replicates/1/), profiles of five feature sets, table1.json and evaluation.json.
 */
export async function writeFigureInputs(dir: string, cells = 48, size = 16): Promise<FigureInputs> {
  const inputs = {
    crops: join(dir, "crops"),
    ...Object.fromEntries(MODELS.map((m) => [m.id, join(dir, m.id)])),
    profiles: join(dir, "profiles"),
    evaluation: join(dir, "evaluation"),
  } as FigureInputs;
  await writeCropStore(inputs.crops, syntheticCrops(cells, size), size, (i) => {
    const moa = MOAS[i % MOAS.length];
    return {
      moa,
      compound: moa === "DMSO" ? "DMSO" : `${moa.slice(0, 3)}-0`,
      // Two concentrations of each compound (the dose direction of the latent-space figures).
      concentration: moa === "DMSO" ? 0 : 1 + (Math.floor(i / MOAS.length) % 2),
    };
  }, { normalization: "crop-max" });
  for (const [i, { id: loss }] of MODELS.entries()) {
    for (const [k, seed] of FIXTURE_SEEDS[loss].entries()) {
      const run = k === 0 ? inputs[loss] : join(inputs[loss], "replicates", String(seed));
      const gan = new Gan(ganConfig({ loss, size, width: 1 / 16 }), undefined, 10 * seed + i + 1);
      await saveGan(gan, join(run, "model"));
      gan.dispose();
      const steps = Array.from({ length: 30 }, (_, i) => i + 1);
      const curves: Record<string, number[]> = {
        step: steps,
        dLoss: steps.map((s) => 1 / Math.sqrt(s) + 0.05 * Math.sin(s)),
        gLoss: steps.map((s) => 0.7 + 0.01 * s),
      };
      if (loss === "wgan") {
        curves.gap = steps.map((s) => 0.1 * Math.log(s));
        curves.gp = steps.map((s) => 1 / s);
      }
      await Deno.writeTextFile(join(run, "curves.json"), JSON.stringify(curves));
      await Deno.writeTextFile(
        join(run, "train.json"),
        JSON.stringify({ loss, settings: { seed }, seconds: 1.5, steps: 30 }),
      );
    }
  }
  const evaluation: Record<string, unknown> = {};
  for (const [i, set] of SETS.entries()) {
    await Deno.mkdir(join(inputs.profiles, set), { recursive: true });
    await Deno.writeTextFile(
      join(inputs.profiles, set, "treatments_cells.json"),
      profiles(set === "classical" ? 12 : 8, i + 1),
    );
    const labels = MOAS.filter((m) => m !== "DMSO");
    const v = 0.3 + 0.1 * i;
    evaluation[set] = {
      "cells-mean": {
        summary: scores(v),
        sd: {},
        seeds: [{ seed: 0, ...scores(v) }],
        report: {
          nsc: {
            per_compound: v,
            per_treatment: v + 0.02,
            n: 9,
            confusion: {
              labels,
              matrix: labels.map((_, r) => labels.map((_, c) => (r === c ? 2 : r + c === 2 ? 1 : 0))),
            },
          },
        },
      },
    };
  }
  await Deno.mkdir(inputs.evaluation, { recursive: true });
  await Deno.writeTextFile(join(inputs.evaluation, "table1.json"), JSON.stringify(table1Fixture()));
  await Deno.writeTextFile(join(inputs.evaluation, "evaluation.json"), JSON.stringify(evaluation));
  return inputs;
}
