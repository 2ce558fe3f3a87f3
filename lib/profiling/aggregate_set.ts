/**
 * The `aggregate` task's work for one feature set (lib/profiling/feature_store.ts): its cells of annotated
 * treatments (those in the MOA table, DMSO included) aggregated into the tables that `evaluate` scores:
 *
 * ```
 * wells_mean.json                    per well, the mean of its cells
 * wells_median.json                  per well, the median of its cells
 * treatments_cells.json              per treatment, the mean of all its cells (the authors' protocol)
 * treatments_cells_<norm>_<center>.json
 *                                    per treatment, the mean of its cells normalised at the cell level
 *                                    against DMSO cells (lib/profiling/cell_normalize.ts): z-score or
 *                                    whitening, centred on all DMSO cells or on each batch's
 * cell_normalization.json            how each of those was fitted: groups, fallbacks, control cells
 * profile.json                       the feature set's kind and training seed (if any), cells and features
 * sym8/                              the same for the feature set's symmetric view, when it has one
 * replicates/<seed>/                 the same for each replicate feature set (other training seeds)
 * ```
 * Tables are lib/profiling/table_io.ts JSON.
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "../data/atomic_write.ts";
import { replicateDir, replicateSeeds } from "../data/replicates.ts";
import { aggregate } from "./aggregate.ts";
import { type CellNormalization, type CenterLevel, normalizeCells } from "./cell_normalize.ts";
import { dropInvalidFeatures } from "./clean.ts";
import { readFeatureSet, SYMMETRIC_VIEW } from "./feature_store.ts";
import { NotApplicableError } from "./not_applicable.ts";
import { tableToJson } from "./table_io.ts";
import type { ProfileRow, ProfileTable } from "./types.ts";

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

/** The file that says what an aggregated feature set is (kind, seed, cells, features). */
export const PROFILE_FILE = "profile.json";

/** One cell-level protocol: a normalisation and where its centres are fitted. */
export interface CellProtocol {
  method: CellNormalization;
  center: CenterLevel;
}

/** The table file of a cell-level protocol. */
export function cellProtocolFile(p: CellProtocol): string {
  return `treatments_cells_${p.method}_${p.center}.json`;
}

/** Options of {@linkcode aggregateFeatureSet}. */
export interface AggregateSetOptions {
  /** Cell-level protocols to tabulate. */
  cellProtocols: readonly CellProtocol[];
  /** Control cells a plate or batch needs for its own centre. */
  minControls: number;
  /** Whitening's regulariser (a fraction of the mean eigenvalue). */
  shrinkage: number;
}

/** What {@linkcode aggregateFeatureSet} did, for the log. */
export interface AggregateSetSummary {
  /** Annotated cells of the first feature set and all cells. */
  cells: number;
  total: number;
  /** Features per cell. */
  features: number;
  /** Seeds of the replicates aggregated too. */
  replicates: number[];
  /** Views aggregated too (the symmetric view, `sym8`). */
  views: string[];
  /** Warnings of the cell-level normalisations (first feature set). */
  warnings: string[];
}

/**
 * Aggregates the feature set in `input` (and its replicates) into `out` (see the module doc).
 *
 * @throws Error naming the folder when the feature set cannot be read.
 */
export async function aggregateFeatureSet(
  input: string,
  out: string,
  options: AggregateSetOptions,
): Promise<AggregateSetSummary> {
  const seeds = await replicateSeeds(input);
  let first: AggregateSetSummary | null = null;
  for (const [k, dir] of [input, ...seeds.map((s) => replicateDir(input, s))].entries()) {
    const target = k === 0 ? out : replicateDir(out, seeds[k - 1]);
    const s = await aggregateOne(dir, target, options);
    first ??= { ...s, replicates: seeds };
    if (await exists(join(dir, SYMMETRIC_VIEW, "features.json"))) {
      await aggregateOne(join(dir, SYMMETRIC_VIEW), join(target, SYMMETRIC_VIEW), options);
      if (k === 0) first.views = [SYMMETRIC_VIEW];
    }
  }
  return first!;
}

async function aggregateOne(
  input: string,
  out: string,
  options: AggregateSetOptions,
): Promise<AggregateSetSummary> {
  const set = await readFeatureSet(input);
  const d = set.names.length;
  const keep = set.rows.map((r, i) => [r, i] as const).filter(([r]) => r.moa !== null);
  const data = new Float32Array(keep.length * d);
  keep.forEach(([, i], k) => data.set(set.data.subarray(i * d, (i + 1) * d), k * d));
  const cells: ProfileTable<ProfileRow> = {
    features: set.names,
    data,
    rows: keep.map(([r]) => ({
      plate: r.plate,
      well: r.well,
      batch: r.batch,
      compound: r.compound,
      concentration: r.concentration,
      moa: r.moa,
    })),
  };
  const write = (file: string, text: string) => writeFileAtomic(join(out, file), text);
  await write(
    PROFILE_FILE,
    JSON.stringify({ kind: set.kind, seed: set.seed ?? null, cells: keep.length, features: d }) + "\n",
  );
  for (const method of ["mean", "median"] as const) {
    await write(`wells_${method}.json`, tableToJson(aggregate(cells, { by: "well", method })));
  }
  await write("treatments_cells.json", tableToJson(aggregate(cells, { by: "treatment", method: "mean" })));

  // Cell-level protocols: constant or non-finite features dropped first (they carry nothing to normalise).
  const warnings: string[] = [];
  const fits: Record<string, unknown> = {};
  const usable = options.cellProtocols.length ? tryClean(cells) : null;
  for (const p of options.cellProtocols) {
    const name = `${p.method}_${p.center}`;
    const controls = usable ? usable.rows.filter((r) => r.compound === "DMSO").length : 0;
    if (!usable || controls < 2) {
      fits[name] = {
        not_applicable: usable
          ? `${controls} DMSO cell(s): a cell-level normalisation needs at least 2 to fit on`
          : "no feature varies across cells",
      };
      continue;
    }
    const r = normalizeCells(usable, {
      method: p.method,
      center: p.center,
      minControls: options.minControls,
      shrinkage: options.shrinkage,
    });
    warnings.push(...r.warnings.map((w) => `${name}: ${w}`));
    fits[name] = {
      method: p.method,
      center: p.center,
      controls: r.controls,
      features: usable.features.length,
      groups: r.groups,
      warnings: r.warnings,
    };
    await write(cellProtocolFile(p), tableToJson(aggregate(r.table, { by: "treatment", method: "mean" })));
  }
  if (options.cellProtocols.length) {
    await write(
      "cell_normalization.json",
      JSON.stringify(
        { minControls: options.minControls, shrinkage: options.shrinkage, protocols: fits },
        null,
        1,
      ) +
        "\n",
    );
  }
  return { cells: keep.length, total: set.rows.length, features: d, replicates: [], views: [], warnings };
}

function tryClean(cells: ProfileTable<ProfileRow>): ProfileTable<ProfileRow> | null {
  try {
    return dropInvalidFeatures(cells, "cells").table;
  } catch (e) {
    if (e instanceof NotApplicableError) return null;
    throw e;
  }
}
