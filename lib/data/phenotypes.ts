/**
 * The phenotype model of the synthetic BBBC021 generator: the real BBBC021
 * compounds with their mechanisms of action (MOA) and concentrations (as in
 * `BBBC021_v1_moa.csv`), the phenotype parameters of an untreated (DMSO) MCF7
 * cell, and the shift each MOA applies to them.
 *
 * A treated cell's parameters are `DMSO + strength × compoundWeights ⊙ MOA shift
 * (+ off-target shift)`, where `strength` follows a Hill dose-response over the
 * compound's tested concentrations, `compoundWeights` are per-compound
 * log-normal factors (compound-specific variation within an MOA), and a fraction
 * of cells does not respond at all (larger at low doses).
 *
 * ## MOA phenotype shifts (at full strength)
 *
 * | MOA | shifts (added to the DMSO values) | what it looks like |
 * |---|---|---|
 * | DMSO (control) | — | clustered epithelial cells, oval textured nuclei, perinuclear tubulin with radial filaments, cortical actin, a few stress fibres, ~3 % mitotic |
 * | Actin disruptors | actinAggregates +1, actinCortex −0.6, stressFibres −0.3, binucleate +0.25, cellIrregularity +0.8, cellSize −0.1 | bright actin dots, no cortex or fibres, ragged cells, binucleate cells |
 * | Aurora kinase inhibitors | polyploid +0.55, nucleusSize +0.45, cellSize +0.35, binucleate +0.1, density −0.35, dnaBrightness +0.15 | giant (polyploid, lobed) nuclei in large cells, fewer cells |
 * | Cholesterol-lowering | cellSize −0.22, cellIrregularity −0.6, cellElongation −0.2, clustering −0.2, actinCortex +0.35, cytoBrightness +0.15 | rounded, compact, brighter cells |
 * | DNA damage | cellSize +0.4, nucleusSize +0.35, density −0.35, micronuclei +0.1, stressFibres +0.3, clustering −0.3 | enlarged flat cells with enlarged nuclei |
 * | DNA replication | nucleusSize +0.22, cellSize +0.15, density −0.45, dnaBrightness −0.1, micronuclei +0.05 | moderately enlarged nuclei, fewer cells (resembles DNA damage) |
 * | Eg5 inhibitors | monopolar +0.8, mitotic +0.1, density −0.1 | round mitotic cells with a ring (rosette) of condensed DNA around a tubulin aster |
 * | Epithelial | clustering −0.75, cellElongation +0.45, cellSize +0.25, stressFibres +0.45, cellIrregularity +0.4 | spread, elongated, scattered cells with stress fibres |
 * | Kinase inhibitors | clustering −0.45, cellElongation +0.3, cellSize +0.12, stressFibres +0.25, actinCortex −0.2, tubulinFilaments +0.2 | like Epithelial, milder (resembles it) |
 * | Microtubule destabilizers | mitotic +0.7, tubulinDiffuse +0.9, tubulinFilaments −0.8, tubulinHalo −0.3, cellSize −0.1 | many round mitotic cells with condensed bright DNA, diffuse tubulin |
 * | Microtubule stabilizers | tubulinBundles +1, micronuclei +0.45, mitotic +0.25, tubulinFilaments +0.4 | thick tubulin bundles, fragmented nuclei (micronuclei), some mitotic arrest |
 * | Protein degradation | aggresome +1, tubulinHalo +0.3, cellSize +0.1, dnaBrightness −0.1 | a bright perinuclear aggregate next to the nucleus |
 * | Protein synthesis | cellSize −0.28, cytoBrightness −0.4, nucleusSize −0.12, dnaBrightness −0.15, density −0.2 | small, dim cells |
 *
 * Pairs that resemble each other by design (as in reality): Epithelial / Kinase
 * inhibitors, DNA damage / DNA replication, Microtubule destabilizers / Eg5
 * inhibitors (both mitotic arrest), Cholesterol-lowering / Protein synthesis
 * (small round cells).
 *
 * @module
 */

import { Rng, seedFrom } from "./rng.ts";

/** The 12 mechanisms of action of BBBC021. */
export const MOAS = [
  "Actin disruptors",
  "Aurora kinase inhibitors",
  "Cholesterol-lowering",
  "DNA damage",
  "DNA replication",
  "Eg5 inhibitors",
  "Epithelial",
  "Kinase inhibitors",
  "Microtubule destabilizers",
  "Microtubule stabilizers",
  "Protein degradation",
  "Protein synthesis",
] as const;

/** A mechanism of action. */
export type Moa = typeof MOAS[number];

/** A compound with its MOA and the concentrations (µM) at which BBBC021 annotates it. */
export interface MoaCompound {
  /** Compound name as in BBBC021. */
  compound: string;
  /** Mechanism of action. */
  moa: Moa;
  /** Annotated concentrations in µM, ascending. */
  concentrations: readonly number[];
}

/** The 38 MOA-annotated compounds of BBBC021 and their 103 annotated concentrations. */
export const MOA_COMPOUNDS: readonly MoaCompound[] = [
  { compound: "cytochalasin B", moa: "Actin disruptors", concentrations: [10, 30] },
  { compound: "cytochalasin D", moa: "Actin disruptors", concentrations: [0.3] },
  { compound: "latrunculin B", moa: "Actin disruptors", concentrations: [1, 3] },
  { compound: "AZ-A", moa: "Aurora kinase inhibitors", concentrations: [0.1, 0.3, 1, 3, 10, 30] },
  { compound: "AZ258", moa: "Aurora kinase inhibitors", concentrations: [0.1, 0.3, 1] },
  { compound: "AZ841", moa: "Aurora kinase inhibitors", concentrations: [0.1, 0.3, 1] },
  { compound: "mevinolin/lovastatin", moa: "Cholesterol-lowering", concentrations: [1.5, 5, 15] },
  { compound: "simvastatin", moa: "Cholesterol-lowering", concentrations: [2, 6, 20] },
  { compound: "chlorambucil", moa: "DNA damage", concentrations: [10] },
  { compound: "cisplatin", moa: "DNA damage", concentrations: [10] },
  { compound: "etoposide", moa: "DNA damage", concentrations: [1, 3, 10] },
  { compound: "mitomycin C", moa: "DNA damage", concentrations: [0.1, 0.3, 1, 3] },
  { compound: "camptothecin", moa: "DNA replication", concentrations: [0.003, 0.01, 0.03] },
  { compound: "floxuridine", moa: "DNA replication", concentrations: [10, 30] },
  { compound: "methotrexate", moa: "DNA replication", concentrations: [10] },
  { compound: "mitoxantrone", moa: "DNA replication", concentrations: [0.003, 0.01] },
  { compound: "AZ-C", moa: "Eg5 inhibitors", concentrations: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1] },
  { compound: "AZ138", moa: "Eg5 inhibitors", concentrations: [0.03, 0.1, 0.3, 1, 3] },
  { compound: "AZ-J", moa: "Epithelial", concentrations: [1, 3, 10] },
  { compound: "AZ-U", moa: "Epithelial", concentrations: [1, 3, 10] },
  { compound: "PP-2", moa: "Epithelial", concentrations: [3, 10] },
  { compound: "PD-169316", moa: "Kinase inhibitors", concentrations: [3, 10] },
  { compound: "alsterpaullone", moa: "Kinase inhibitors", concentrations: [1, 3] },
  { compound: "bryostatin", moa: "Kinase inhibitors", concentrations: [0.3] },
  { compound: "colchicine", moa: "Microtubule destabilizers", concentrations: [0.03] },
  { compound: "demecolcine", moa: "Microtubule destabilizers", concentrations: [0.3, 1, 3, 10] },
  { compound: "nocodazole", moa: "Microtubule destabilizers", concentrations: [1, 3] },
  {
    compound: "vincristine",
    moa: "Microtubule destabilizers",
    concentrations: [0.003, 0.01, 0.03, 0.1, 0.3, 1, 3],
  },
  { compound: "docetaxel", moa: "Microtubule stabilizers", concentrations: [0.03, 0.1, 0.3] },
  { compound: "epothilone B", moa: "Microtubule stabilizers", concentrations: [0.1, 0.3, 1] },
  { compound: "taxol", moa: "Microtubule stabilizers", concentrations: [0.3, 1, 3] },
  { compound: "ALLN", moa: "Protein degradation", concentrations: [3, 100] },
  { compound: "MG-132", moa: "Protein degradation", concentrations: [0.1, 3] },
  { compound: "lactacystin", moa: "Protein degradation", concentrations: [10] },
  { compound: "proteasome inhibitor I", moa: "Protein degradation", concentrations: [0.1, 3] },
  { compound: "anisomycin", moa: "Protein synthesis", concentrations: [0.3, 1] },
  { compound: "cyclohexamide", moa: "Protein synthesis", concentrations: [5, 15, 50] },
  { compound: "emetine", moa: "Protein synthesis", concentrations: [0.1, 0.3, 1] },
];

/**
 * Phenotype parameters of a cell population. Sizes and brightnesses are relative
 * to DMSO (1); fractions are probabilities per cell; pattern strengths are 0 (none)
 * to about 1 (strong).
 */
export interface PhenotypeParams {
  /** Relative number of cells per field. */
  density: number;
  /** 1 = compact epithelial islands of touching cells, 0 = scattered single cells. */
  clustering: number;
  /** Relative cell radius. */
  cellSize: number;
  /** Added log aspect ratio of the cell outline (DMSO ≈ 1.25:1). */
  cellElongation: number;
  /** Relative amplitude of outline irregularity (lamellipodia, ruffles). */
  cellIrregularity: number;
  /** Relative brightness of tubulin and actin. */
  cytoBrightness: number;
  /** Relative nucleus radius. */
  nucleusSize: number;
  /** Relative DNA stain brightness. */
  dnaBrightness: number;
  /** Fraction of rounded mitotic cells with condensed DNA. */
  mitotic: number;
  /** Fraction of binucleate cells. */
  binucleate: number;
  /** Fraction of cells with a giant polyploid (lobed) nucleus. */
  polyploid: number;
  /** Fraction of cells whose nucleus is fragmented into micronuclei. */
  micronuclei: number;
  /** Fraction of monopolar mitotic cells (DNA rosette around a tubulin aster). */
  monopolar: number;
  /** Contrast of radial microtubule filaments. */
  tubulinFilaments: number;
  /** Brightness of the perinuclear tubulin halo. */
  tubulinHalo: number;
  /** Thick microtubule bundles (radial and circumferential). */
  tubulinBundles: number;
  /** Diffuse, unpolymerised tubulin (0 = filamentous, 1 = flat). */
  tubulinDiffuse: number;
  /** Cortical actin at the cell edge. */
  actinCortex: number;
  /** Actin stress fibres. */
  stressFibres: number;
  /** Bright actin aggregates in the cytoplasm. */
  actinAggregates: number;
  /** A bright perinuclear aggregate (aggresome) in tubulin. */
  aggresome: number;
}

/** Parameter names, in a fixed order. */
export const PHENOTYPE_KEYS: readonly (keyof PhenotypeParams)[] = [
  "density",
  "clustering",
  "cellSize",
  "cellElongation",
  "cellIrregularity",
  "cytoBrightness",
  "nucleusSize",
  "dnaBrightness",
  "mitotic",
  "binucleate",
  "polyploid",
  "micronuclei",
  "monopolar",
  "tubulinFilaments",
  "tubulinHalo",
  "tubulinBundles",
  "tubulinDiffuse",
  "actinCortex",
  "stressFibres",
  "actinAggregates",
  "aggresome",
];

/** The untreated (DMSO) MCF7 phenotype. */
export const DMSO_PHENOTYPE: Readonly<PhenotypeParams> = {
  density: 1,
  clustering: 1,
  cellSize: 1,
  cellElongation: 0,
  cellIrregularity: 1,
  cytoBrightness: 1,
  nucleusSize: 1,
  dnaBrightness: 1,
  mitotic: 0.03,
  binucleate: 0.02,
  polyploid: 0,
  micronuclei: 0.02,
  monopolar: 0,
  tubulinFilaments: 1,
  tubulinHalo: 1,
  tubulinBundles: 0,
  tubulinDiffuse: 0,
  actinCortex: 1,
  stressFibres: 0.3,
  actinAggregates: 0,
  aggresome: 0,
};

/** Per-MOA shifts at full strength (see the table in the module docs). */
export const MOA_SHIFTS: Readonly<Record<Moa, Partial<PhenotypeParams>>> = {
  "Actin disruptors": {
    actinAggregates: 1,
    actinCortex: -0.6,
    stressFibres: -0.3,
    binucleate: 0.25,
    cellIrregularity: 0.8,
    cellSize: -0.1,
  },
  "Aurora kinase inhibitors": {
    polyploid: 0.55,
    nucleusSize: 0.45,
    cellSize: 0.35,
    binucleate: 0.1,
    density: -0.35,
    dnaBrightness: 0.15,
  },
  "Cholesterol-lowering": {
    cellSize: -0.22,
    cellIrregularity: -0.6,
    cellElongation: -0.2,
    clustering: -0.2,
    actinCortex: 0.35,
    cytoBrightness: 0.15,
  },
  "DNA damage": {
    cellSize: 0.4,
    nucleusSize: 0.35,
    density: -0.35,
    micronuclei: 0.1,
    stressFibres: 0.3,
    clustering: -0.3,
  },
  "DNA replication": {
    nucleusSize: 0.22,
    cellSize: 0.15,
    density: -0.45,
    dnaBrightness: -0.1,
    micronuclei: 0.05,
  },
  "Eg5 inhibitors": { monopolar: 0.8, mitotic: 0.1, density: -0.1 },
  "Epithelial": {
    clustering: -0.75,
    cellElongation: 0.45,
    cellSize: 0.25,
    stressFibres: 0.45,
    cellIrregularity: 0.4,
  },
  "Kinase inhibitors": {
    clustering: -0.45,
    cellElongation: 0.3,
    cellSize: 0.12,
    stressFibres: 0.25,
    actinCortex: -0.2,
    tubulinFilaments: 0.2,
  },
  "Microtubule destabilizers": {
    mitotic: 0.7,
    tubulinDiffuse: 0.9,
    tubulinFilaments: -0.8,
    tubulinHalo: -0.3,
    cellSize: -0.1,
  },
  "Microtubule stabilizers": { tubulinBundles: 1, micronuclei: 0.45, mitotic: 0.25, tubulinFilaments: 0.4 },
  "Protein degradation": { aggresome: 1, tubulinHalo: 0.3, cellSize: 0.1, dnaBrightness: -0.1 },
  "Protein synthesis": {
    cellSize: -0.28,
    cytoBrightness: -0.4,
    nucleusSize: -0.12,
    dnaBrightness: -0.15,
    density: -0.2,
  },
};

/** Typical magnitude of each parameter, used to scale off-target shifts and cell-to-cell noise. */
const PARAM_SCALE: Readonly<PhenotypeParams> = {
  density: 0.2,
  clustering: 0.3,
  cellSize: 0.15,
  cellElongation: 0.2,
  cellIrregularity: 0.4,
  cytoBrightness: 0.15,
  nucleusSize: 0.12,
  dnaBrightness: 0.12,
  mitotic: 0.05,
  binucleate: 0.05,
  polyploid: 0.05,
  micronuclei: 0.05,
  monopolar: 0.03,
  tubulinFilaments: 0.3,
  tubulinHalo: 0.2,
  tubulinBundles: 0.15,
  tubulinDiffuse: 0.15,
  actinCortex: 0.25,
  stressFibres: 0.2,
  actinAggregates: 0.15,
  aggresome: 0.15,
};

/** Clamps parameters to their valid ranges (fractions to [0, 0.95], sizes and brightnesses positive). */
export function clampPhenotype(p: PhenotypeParams): PhenotypeParams {
  const out = { ...p };
  for (const k of ["mitotic", "binucleate", "polyploid", "micronuclei", "monopolar"] as const) {
    out[k] = Math.min(0.95, Math.max(0, out[k]));
  }
  for (const k of ["density", "cellSize", "nucleusSize", "dnaBrightness", "cytoBrightness"] as const) {
    out[k] = Math.max(0.25, out[k]);
  }
  for (
    const k of [
      "clustering",
      "cellIrregularity",
      "tubulinFilaments",
      "tubulinHalo",
      "tubulinBundles",
      "tubulinDiffuse",
      "actinCortex",
      "stressFibres",
      "actinAggregates",
      "aggresome",
    ] as const
  ) out[k] = Math.max(0, out[k]);
  out.tubulinDiffuse = Math.min(1, out.tubulinDiffuse);
  out.clustering = Math.min(1, out.clustering);
  return out;
}

/** How a treatment acts: the shift per parameter at full response, and how cells respond. */
export interface TreatmentEffect {
  /** Shift added to the DMSO parameters for a fully responding cell (compound weights applied). */
  shift: PhenotypeParams;
  /** Mean response strength of responding cells, 0–1 (dose-response). */
  strength: number;
  /** Fraction of cells that do not respond. */
  nonResponders: number;
}

/** Options for {@linkcode treatmentEffect}. */
export interface TreatmentEffectOptions {
  /** Global multiplier on MOA shifts (default 1). Lower makes the data harder. */
  effectScale?: number;
  /** Log-sd of per-compound weights on each MOA shift component (default 0.3). */
  compoundVariation?: number;
  /** Size of the compound-specific off-target shift, in units of PARAM_SCALE (default 0.5). */
  offTarget?: number;
  /** Base fraction of non-responding cells at high dose (default 0.12). */
  nonResponders?: number;
}

/** The zero shift. */
export function zeroPhenotype(): PhenotypeParams {
  return Object.fromEntries(PHENOTYPE_KEYS.map((k) => [k, 0])) as unknown as PhenotypeParams;
}

/**
 * The effect of a compound at a concentration. Deterministic for (seed, compound,
 * concentration). `moa` null with a compound not in {@linkcode MOA_COMPOUNDS} gives
 * an unannotated compound: a weak random mixture of one or two MOA shifts, or
 * nothing (half of them are inactive). DMSO has no effect.
 */
export function treatmentEffect(
  seed: number,
  compound: string,
  concentration: number,
  options: TreatmentEffectOptions = {},
): TreatmentEffect {
  const scale = options.effectScale ?? 1;
  const variation = options.compoundVariation ?? 0.3;
  const offTarget = options.offTarget ?? 0.5;
  const baseNon = options.nonResponders ?? 0.12;
  const shift = zeroPhenotype();
  if (compound === "DMSO") return { shift, strength: 0, nonResponders: 1 };
  const rng = new Rng(seedFrom(seed, "compound", compound));
  const known = MOA_COMPOUNDS.find((c) => c.compound === compound);
  let concs: readonly number[];
  const parts: [Moa, number][] = [];
  if (known) {
    parts.push([known.moa, 1]);
    concs = known.concentrations;
  } else {
    concs = [0.1, 1, 10];
    if (rng.chance(0.5)) {
      parts.push([rng.pick(MOAS), rng.range(0.25, 0.6)]);
      if (rng.chance(0.4)) parts.push([rng.pick(MOAS), rng.range(0.15, 0.4)]);
    }
  }
  for (const [moa, w] of parts) {
    for (const [k, v] of Object.entries(MOA_SHIFTS[moa]) as [keyof PhenotypeParams, number][]) {
      shift[k] += scale * w * v * rng.logNormal(0, variation);
    }
  }
  // Off-target: a few parameters get a compound-specific nudge.
  if (parts.length > 0) {
    for (let i = 0; i < 3; i++) {
      const k = rng.pick(PHENOTYPE_KEYS);
      shift[k] += scale * offTarget * PARAM_SCALE[k] * rng.normal();
    }
  }
  if (parts.length === 0) return { shift, strength: 0, nonResponders: 1 };
  // Hill dose-response centred (per compound, jittered) on the geometric mean of the tested range.
  const logs = concs.map((c) => Math.log10(c));
  const mid = logs.reduce((a, b) => a + b, 0) / logs.length + rng.normal(0, 0.25);
  const x = Math.log10(Math.max(concentration, 1e-9));
  const hill = 1 / (1 + 10 ** (-1.3 * (x - mid)));
  const strength = 0.4 + 0.6 * hill;
  const nonResponders = Math.min(0.9, baseNon + 0.35 * (1 - hill));
  return { shift, strength, nonResponders };
}

/** Adds `strength × shift` to the DMSO phenotype and clamps. */
export function applyShift(
  shift: PhenotypeParams,
  strength: number,
  base: PhenotypeParams = DMSO_PHENOTYPE,
): PhenotypeParams {
  const out = { ...base };
  for (const k of PHENOTYPE_KEYS) out[k] += strength * shift[k];
  return clampPhenotype(out);
}

/** The typical scale of a parameter (for cell-to-cell noise). */
export function phenotypeScale(key: keyof PhenotypeParams): number {
  return PARAM_SCALE[key];
}

/** What each MOA's shift looks like (the table in the module docs), and the untreated control. */
export const MOA_LOOKS: Readonly<Record<Moa | "DMSO", string>> = {
  "DMSO": "clustered epithelial cells, oval textured nuclei, perinuclear tubulin with radial filaments, " +
    "cortical actin, a few stress fibres, ~3 % mitotic",
  "Actin disruptors": "bright actin dots, no cortex or fibres, ragged cells, binucleate cells",
  "Aurora kinase inhibitors": "giant (polyploid, lobed) nuclei in large cells, fewer cells",
  "Cholesterol-lowering": "rounded, compact, brighter cells",
  "DNA damage": "enlarged flat cells with enlarged nuclei",
  "DNA replication": "moderately enlarged nuclei, fewer cells (resembles DNA damage)",
  "Eg5 inhibitors": "round mitotic cells with a ring (rosette) of condensed DNA around a tubulin aster",
  "Epithelial": "spread, elongated, scattered cells with stress fibres",
  "Kinase inhibitors": "like Epithelial, milder (resembles it)",
  "Microtubule destabilizers": "many round mitotic cells with condensed bright DNA, diffuse tubulin",
  "Microtubule stabilizers": "thick tubulin bundles, fragmented nuclei (micronuclei), some mitotic arrest",
  "Protein degradation": "a bright perinuclear aggregate next to the nucleus",
  "Protein synthesis": "small, dim cells",
};

/** MOA pairs that resemble each other by design (as in reality). */
export const MOA_RESEMBLES: readonly (readonly [Moa, Moa])[] = [
  ["Epithelial", "Kinase inhibitors"],
  ["DNA damage", "DNA replication"],
  ["Microtubule destabilizers", "Eg5 inhibitors"],
  ["Cholesterol-lowering", "Protein synthesis"],
];

/** The phenotype model as data (written as `phenotypes.json` beside a synthetic dataset). */
export interface PhenotypeTable {
  /** The untreated cell's parameters and what it looks like. */
  dmso: PhenotypeParams;
  dmsoLooks: string;
  /** Each parameter with its typical cell-to-cell scale. */
  keys: { key: keyof PhenotypeParams; scale: number }[];
  /** Each MOA: its shift at full strength, what it looks like, its compounds and concentrations (µM). */
  moas: {
    moa: Moa;
    shift: Partial<PhenotypeParams>;
    looks: string;
    compounds: { compound: string; concentrations: number[] }[];
  }[];
  resembles: [Moa, Moa][];
}

/** The phenotype model as one JSON-ready table. */
export function phenotypeTable(): PhenotypeTable {
  return {
    dmso: { ...DMSO_PHENOTYPE },
    dmsoLooks: MOA_LOOKS.DMSO,
    keys: PHENOTYPE_KEYS.map((key) => ({ key, scale: phenotypeScale(key) })),
    moas: MOAS.map((moa) => ({
      moa,
      shift: { ...MOA_SHIFTS[moa] },
      looks: MOA_LOOKS[moa],
      compounds: MOA_COMPOUNDS.filter((c) => c.moa === moa).map((c) => ({
        compound: c.compound,
        concentrations: [...c.concentrations],
      })),
    })),
    resembles: MOA_RESEMBLES.map(([a, b]) => [a, b]),
  };
}
