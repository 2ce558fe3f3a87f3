/**
 * Options of the synthetic BBBC021 generator: their defaults, the named presets and validation. Kept apart
 * from the generator so that a pipeline can declare its params without loading the renderer.
 * @module
 */

/** Options of the synthetic generator. */
export interface SyntheticOptions {
  /** Seed; the same options give byte-identical output. */
  seed: number;
  /** Field width in pixels (BBBC021: 1280). */
  width: number;
  /** Field height in pixels (BBBC021: 1024). */
  height: number;
  /** Number of plates. */
  plates: number;
  /** Number of batches (weeks); plates are split among them. */
  batches: number;
  /** Plates per batch (overrides the even split; must sum to `plates`), or null. */
  platesPerBatch: readonly number[] | null;
  /** Wells per plate available (at most 96; B02–G11 first, as in BBBC021). */
  wellsPerPlate: number;
  /** Fields (sites) per well. */
  sitesPerWell: number;
  /** DMSO wells per plate. */
  dmsoWellsPerPlate: number;
  /** Wells per compound-concentration (on different plates of its batch where possible). */
  replicates: number;
  /** How many compounds of each MOA to use (null = all). */
  compoundsPerMoa: number | null;
  /** How many concentrations per compound, highest first (null = all annotated). */
  concentrationsPerCompound: number | null;
  /** Add a taxol 0.3 µM control well on every plate (as in BBBC021). */
  taxolControl: boolean;
  /** Fill the remaining wells with unannotated compounds (not in the MOA table). */
  fillUnannotated: boolean;
  /** Relative cell density (1 ≈ 90 DMSO cells per 512×512 field). */
  cellDensity: number;
  /** Pixel scale (1 = BBBC021's 20×; 0.5 = half-size cells). */
  pixelScale: number;
  /** Global multiplier on MOA phenotype shifts (lower = harder). */
  effectScale: number;
  /** Log-sd of compound-specific weights within an MOA. */
  compoundVariation: number;
  /** Base fraction of non-responding cells at high dose. */
  nonResponders: number;
  /** Strength of batch (week) effects: 0 = none, 1 = default. */
  batchEffects: number;
  /** Probability that a compound is placed in its MOA's home week (else a random week). */
  moaBatchConfounding: number;
  /** Write ground-truth label masks. */
  masks: boolean;
  /** TIFF compression of the images (`none` as BBBC021, or `deflate`). */
  compression: "none" | "deflate";
}

/** Defaults: the embedded default dataset (all 103 treatments, 512×512 fields). */
export const SYNTHETIC_DEFAULTS: Readonly<SyntheticOptions> = {
  seed: 2017,
  width: 512,
  height: 512,
  plates: 10,
  batches: 10,
  platesPerBatch: null,
  wellsPerPlate: 60,
  sitesPerWell: 1,
  dmsoWellsPerPlate: 4,
  replicates: 3,
  compoundsPerMoa: null,
  concentrationsPerCompound: null,
  taxolControl: false,
  fillUnannotated: false,
  cellDensity: 1,
  pixelScale: 1,
  effectScale: 1,
  compoundVariation: 0.3,
  nonResponders: 0.12,
  batchEffects: 2.5,
  moaBatchConfounding: 0.7,
  masks: true,
  compression: "none",
};

/** Named sizes, from a 16-field test set to the full BBBC021 layout (13,200 fields of 1280×1024). */
export const SYNTHETIC_PRESETS: Readonly<
  Record<"tiny" | "small" | "default" | "full", Partial<SyntheticOptions>>
> = {
  tiny: {
    width: 256,
    height: 256,
    plates: 2,
    batches: 2,
    wellsPerPlate: 8,
    dmsoWellsPerPlate: 2,
    replicates: 1,
    compoundsPerMoa: 1,
    concentrationsPerCompound: 1,
  },
  small: {
    plates: 4,
    batches: 2,
    replicates: 1,
    compoundsPerMoa: 2,
    concentrationsPerCompound: 2,
    wellsPerPlate: 24,
  },
  default: {},
  full: {
    width: 1280,
    height: 1024,
    plates: 55,
    batches: 10,
    platesPerBatch: [6, 6, 6, 6, 6, 6, 5, 5, 6, 3],
    wellsPerPlate: 60,
    sitesPerWell: 4,
    dmsoWellsPerPlate: 6,
    taxolControl: true,
    fillUnannotated: true,
  },
};

/**
 * Merges a preset name and overrides onto the defaults and validates the result.
 *
 * @throws Error naming an unknown key, a value of the wrong type or out of range.
 */
export function resolveSyntheticOptions(
  overrides: Record<string, unknown> = {},
  preset: keyof typeof SYNTHETIC_PRESETS = "default",
): SyntheticOptions {
  if (!(preset in SYNTHETIC_PRESETS)) {
    throw new Error(
      `Unknown synthetic preset '${preset}': expected one of ${Object.keys(SYNTHETIC_PRESETS).join(", ")}`,
    );
  }
  for (const k of Object.keys(overrides)) {
    if (!(k in SYNTHETIC_DEFAULTS)) {
      throw new Error(
        `Unknown synthetic option '${k}': expected one of ${Object.keys(SYNTHETIC_DEFAULTS).join(", ")}`,
      );
    }
  }
  const o = { ...SYNTHETIC_DEFAULTS, ...SYNTHETIC_PRESETS[preset], ...overrides } as SyntheticOptions;
  const int = (k: keyof SyntheticOptions, lo: number, hi: number) => {
    const v = o[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) {
      throw new Error(
        `Invalid synthetic option ${k}: expected an integer in [${lo}, ${hi}], found ${JSON.stringify(v)}`,
      );
    }
  };
  const num = (k: keyof SyntheticOptions, lo: number, hi: number) => {
    const v = o[k];
    if (typeof v !== "number" || !Number.isFinite(v) || v < lo || v > hi) {
      throw new Error(
        `Invalid synthetic option ${k}: expected a number in [${lo}, ${hi}], found ${JSON.stringify(v)}`,
      );
    }
  };
  const bool = (k: keyof SyntheticOptions) => {
    if (typeof o[k] !== "boolean") {
      throw new Error(`Invalid synthetic option ${k}: expected true or false, found ${JSON.stringify(o[k])}`);
    }
  };
  int("seed", 0, 2 ** 32 - 1);
  int("width", 32, 8192);
  int("height", 32, 8192);
  int("plates", 1, 1000);
  int("batches", 1, 99);
  int("wellsPerPlate", 1, 96);
  int("sitesPerWell", 1, 16);
  int("dmsoWellsPerPlate", 0, 96);
  int("replicates", 1, 20);
  num("cellDensity", 0.05, 5);
  num("pixelScale", 0.25, 4);
  num("effectScale", 0, 5);
  num("compoundVariation", 0, 2);
  num("nonResponders", 0, 1);
  num("batchEffects", 0, 5);
  num("moaBatchConfounding", 0, 1);
  for (const k of ["taxolControl", "fillUnannotated", "masks"] as const) bool(k);
  if (o.compoundsPerMoa !== null) int("compoundsPerMoa", 1, 10);
  if (o.concentrationsPerCompound !== null) int("concentrationsPerCompound", 1, 10);
  if (o.compression !== "none" && o.compression !== "deflate") {
    throw new Error(
      `Invalid synthetic option compression: expected "none" or "deflate", found ${
        JSON.stringify(o.compression)
      }`,
    );
  }
  if (o.batches > o.plates) {
    throw new Error(`Invalid synthetic options: expected batches ≤ plates, found ${o.batches} > ${o.plates}`);
  }
  if (o.platesPerBatch !== null) {
    const p = o.platesPerBatch;
    if (!Array.isArray(p) || p.length !== o.batches || p.some((x) => !Number.isInteger(x) || x < 1)) {
      throw new Error(
        `Invalid synthetic option platesPerBatch: expected ${o.batches} positive integers, found ${
          JSON.stringify(p)
        }`,
      );
    }
    const sum = p.reduce((a, b) => a + b, 0);
    if (sum !== o.plates) {
      throw new Error(
        `Invalid synthetic option platesPerBatch: expected a sum of ${o.plates} plates, found ${sum}`,
      );
    }
  }
  return o;
}
