/**
 * The paper's Table 1 (NSC 1-NN MOA accuracy on BBBC021, averaged per compound), for showing beside ours.
 * Final values: the authors' paper.tex from 2017-11-23 on; draft values: the preprint text (labelled as such).
 * See ../shared/paper/REFERENCE.md. The rows of our models come from the registry (lib/models/registry.ts).
 * @module
 */
import { FEATURE_SETS, MODELS } from "../models/registry.ts";

/** One method of the paper's Table 1. */
export interface PaperRow {
  /** Method as the paper names it. */
  method: string;
  /** Our feature set that stands for it, or null when we have none. */
  set: string | null;
  /** The final NSC accuracy (fraction). */
  nsc: number;
  /** The draft value, where it differs. */
  draft?: number;
  /** Where the number comes from. */
  source: string;
}

/** How Table 1 names each of our feature sets. */
export const FEATURE_SET_LABELS: Readonly<Record<string, string>> = Object.fromEntries(
  FEATURE_SETS.map((s) => [s.id, s.label]),
);

/** The rows of the paper's Table 1, in its order. */
export const PAPER_TABLE1: readonly PaperRow[] = [
  ...MODELS.flatMap((m) => m.paper ? [{ ...m.paper, set: m.id }] : []),
  { method: "CellProfiler", set: "classical", nsc: 0.90, source: "Singh et al. 2014 (as cited)" },
  {
    method: "Deep transfer (Pawlowski et al.)",
    set: null,
    nsc: 0.91,
    source: "Pawlowski et al. 2016 (as cited)",
  },
  { method: "Deep transfer (Ando et al.)", set: null, nsc: 0.96, source: "Ando et al. 2017 (as cited)" },
];
