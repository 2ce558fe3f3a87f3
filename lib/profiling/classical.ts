/**
 * The "classical" feature set: per-cell hand-crafted features, CellProfiler-like, computed in TypeScript
 * on single-cell crops — the baseline beside the GAN discriminator features (Goldsborough et al. 2017,
 * where CellProfiler profiles reach 90 % NSC on BBBC021).
 *
 * ## Input contract
 *
 * - One crop is `{ size: S, data }` with `data` HWC (`data[(y·S + x)·3 + c]`), 3 channels in the order
 *   **DNA, tubulin, actin**, raw intensities in any non-negative scale (uint16 counts or [0, 1]); `data` may
 *   be a `Float32Array` (the contract), or a `Float64Array`, `Uint16Array` or `Uint8Array`.
 * - Optional masks for the cell centred in the crop: `nucleus` and `cell`, each an `S×S` `Uint8Array`,
 *   row-major, non-zero = inside. Either, both or neither may be given. Cytoplasm = cell ∧ ¬nucleus.
 * - A missing mask is made by the fallback segmentation of {@linkcode segmentCentreCell}
 *   (`crop_segment.ts`): nucleus = Otsu on the Gaussian-smoothed (σ 1) DNA channel, the component nearest
 *   the crop centre, holes filled; cell = Otsu on smoothed, log-scaled, mean-normalised tubulin + actin,
 *   grown from the centre nucleus (all nuclei in the crop compete, so neighbours stop it half way), at
 *   most ⌊S/4⌋ px from the nucleus. This is meant for real crops (a fixed 68×68 window around a nucleus,
 *   neighbours visible, no mask). Touching nuclei are not split (they count as one nucleus).
 * - Batch: `crops` `[N, S, S, 3]` flat, masks `[N, S, S]` flat; output `[N, D]` row-major `Float32Array`.
 *
 * ## Features (D = 223 with the defaults), in output order
 *
 * Channel names `DNA`, `Tubulin`, `Actin`; regions `Nucleus`, `Cell`, `Cytoplasm`.
 *
 * 1. `Intensity_{M}_{Channel}_{Region}` (90): M in `Integrated, Mean, Std, Min, Max, Median, MAD,
 *    LowerQuartile, UpperQuartile, MassDisplacement` (see `intensity.ts`), regions outer, channels, then
 *    measures. In the input's intensity units.
 * 2. `AreaShape_{M}_{Object}` (16): M in `Area, Perimeter, FormFactor, Eccentricity, MajorAxisLength,
 *    MinorAxisLength, Solidity, Extent` for `Nucleus`, then `Cell` (see `shape.ts`; pixels; Crofton
 *    perimeter; second-moment axes; solidity against the convex hull).
 * 3. `RadialDistribution_{M}_{Channel}_{k}of{rings}` (36): M in `FracAtD, MeanFrac, RadialCV`, channels,
 *    rings k = 1 (centre) … 4 (edge) between the nucleus centroid and the cell edge (see `radial.ts`).
 * 4. `Texture_{F}_{Channel}_{d}` (78): the 13 Haralick features `AngularSecondMoment, Contrast,
 *    Correlation, Variance, InverseDifferenceMoment, SumAverage, SumVariance, SumEntropy, Entropy,
 *    DifferenceVariance, DifferenceEntropy, InfoMeas1, InfoMeas2` within the cell, 8 grey levels rescaled
 *    per cell, distances d = 1 and 3, averaged over 4 directions (see `haralick.ts`); channels outer, then
 *    distances, then features.
 * 5. `Correlation_{A}_{B}` (3): Pearson correlation inside the cell for DNA–Tubulin, DNA–Actin,
 *    Tubulin–Actin.
 *
 * ## Undefined values
 *
 * Never throws for content (a blank crop is fine); throws `RangeError` for wrong-sized inputs. A value
 * whose definition is empty or divides by zero is NaN (NaN is skipped by the cell → well aggregation):
 * an empty region gives `Area`/`Perimeter`/`Integrated` 0 and NaN for its other intensity and shape
 * measures; a constant channel gives NaN `Correlation_*` and Haralick `Correlation`/`InfoMeas1`; zero total
 * intensity gives NaN radial fractions; a ring without pixels gives NaN `MeanFrac`; a cell no larger than
 * its nucleus gives NaN cytoplasm statistics. A blank (constant) crop segments to empty masks, so every
 * feature is NaN except the 0 areas, perimeters and integrated intensities. Radial rings are centred on the
 * nucleus centroid, or the cell centroid when the nucleus is empty.
 *
 * @example
 * ```ts
 * const names = featureNames(); // 223 names
 * const f = classicalFeatures({ size: 68, data }); // Float32Array(223), masks segmented from the crop
 * const all = classicalFeaturesBatch(crops, n, 68); // Float32Array(n * 223)
 * ```
 *
 * @module
 */

import { type CellMasks, segmentCentreCell, type SegmentOptions } from "./crop_segment.ts";
import { HARALICK_COUNT, HARALICK_FEATURES, haralickMulti, quantize } from "./haralick.ts";
import { INTENSITY_COUNT, INTENSITY_MEASURES, intensityFeatures, pearsonInMask } from "./intensity.ts";
import { RADIAL_MEASURES, radialFeatures } from "./radial.ts";
import { moments, SHAPE_MEASURES, shapeFeatures } from "./shape.ts";

export type { CellMasks, SegmentOptions } from "./crop_segment.ts";

/** Channel names in crop order. */
export const CHANNELS = ["DNA", "Tubulin", "Actin"] as const;
/** Regions of the intensity statistics. */
export const REGIONS = ["Nucleus", "Cell", "Cytoplasm"] as const;
/** Objects of the shape measures. */
export const OBJECTS = ["Nucleus", "Cell"] as const;
/** Channel pairs of the correlation features. */
export const CHANNEL_PAIRS = [[0, 1], [0, 2], [1, 2]] as const;

/** Pixel data of a crop: HWC, 3 channels (DNA, tubulin, actin). */
export type CropData = Float32Array | Float64Array | Uint16Array | Uint8Array;

/** One single-cell crop (see the module documentation for the contract). */
export interface Crop {
  /** Side S of the square crop in pixels. */
  size: number;
  /** `S·S·3` values, HWC, channels DNA, tubulin, actin. */
  data: CropData;
}

/** Masks of the centre cell, `S×S`, non-zero = inside; either may be left out. */
export interface CropMasks {
  /** Nucleus. */
  nucleus?: Uint8Array;
  /** Whole cell. */
  cell?: Uint8Array;
}

/** Masks of a batch, `[N, S, S]` flat; either may be left out. */
export interface BatchMasks {
  /** Nuclei. */
  nucleus?: Uint8Array;
  /** Whole cells. */
  cell?: Uint8Array;
}

/** Settings of the feature set (the defaults give the documented 223 features). */
export interface ClassicalOptions {
  /** Grey levels of the co-occurrence matrices (default 8). */
  levels?: number;
  /** Co-occurrence distances in pixels (default [1, 3]). */
  distances?: readonly number[];
  /** Radial rings (default 4). */
  rings?: number;
  /** Options of the fallback segmentation. */
  segmentation?: SegmentOptions;
}

interface Resolved {
  levels: number;
  distances: readonly number[];
  rings: number;
  segmentation: SegmentOptions;
}

function resolve(options: ClassicalOptions): Resolved {
  const levels = options.levels ?? 8;
  const distances = options.distances ?? [1, 3];
  const rings = options.rings ?? 4;
  if (!Number.isInteger(levels) || levels < 2 || levels > 64) {
    throw new RangeError(
      `classical features: expected an integer number of grey levels in [2, 64], got ${levels}`,
    );
  }
  if (distances.length === 0 || distances.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new RangeError(
      `classical features: expected positive integer texture distances, got [${distances.join(", ")}]`,
    );
  }
  if (!Number.isInteger(rings) || rings < 1 || rings > 100) {
    throw new RangeError(`classical features: expected an integer number of rings in [1, 100], got ${rings}`);
  }
  return { levels, distances, rings, segmentation: options.segmentation ?? {} };
}

/**
 * The feature names, in output order (see the module documentation). Stable for given options; 223 with
 * the defaults.
 */
export function featureNames(options: ClassicalOptions = {}): string[] {
  const o = resolve(options);
  const names: string[] = [];
  for (const r of REGIONS) {
    for (const c of CHANNELS) for (const m of INTENSITY_MEASURES) names.push(`Intensity_${m}_${c}_${r}`);
  }
  for (const ob of OBJECTS) for (const m of SHAPE_MEASURES) names.push(`AreaShape_${m}_${ob}`);
  for (const m of RADIAL_MEASURES) {
    for (const c of CHANNELS) {
      for (let k = 1; k <= o.rings; k++) names.push(`RadialDistribution_${m}_${c}_${k}of${o.rings}`);
    }
  }
  for (const c of CHANNELS) {
    for (const d of o.distances) for (const f of HARALICK_FEATURES) names.push(`Texture_${f}_${c}_${d}`);
  }
  for (const [a, b] of CHANNEL_PAIRS) names.push(`Correlation_${CHANNELS[a]}_${CHANNELS[b]}`);
  return names;
}

/** Number of features for the given options (223 with the defaults). */
export function featureCount(options: ClassicalOptions = {}): number {
  const o = resolve(options);
  return REGIONS.length * CHANNELS.length * INTENSITY_COUNT + OBJECTS.length * SHAPE_MEASURES.length +
    RADIAL_MEASURES.length * CHANNELS.length * o.rings +
    CHANNELS.length * o.distances.length * HARALICK_COUNT +
    CHANNEL_PAIRS.length;
}

function checkSize(size: number, what: string): void {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`${what}: expected a positive integer crop size S, got ${size}`);
  }
}

/** Splits HWC data at `base` into three planes. */
function deinterleave(data: CropData, base: number, n: number, planes: Float32Array[]): void {
  const [p0, p1, p2] = planes;
  for (let i = 0, j = base; i < n; i++, j += 3) {
    p0[i] = data[j];
    p1[i] = data[j + 1];
    p2[i] = data[j + 2];
  }
}

/** Scratch buffers reused across the crops of one call. */
class Workspace {
  readonly planes: Float32Array[];
  readonly cyto: Uint8Array;
  readonly scratch: Float64Array;
  readonly q: Uint8Array;
  constructor(readonly size: number) {
    const n = size * size;
    this.planes = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    this.cyto = new Uint8Array(n);
    this.scratch = new Float64Array(2 * n);
    this.q = new Uint8Array(n);
  }
}

function resolveMasks(ws: Workspace, given: CropMasks, o: Resolved): CellMasks {
  const n = ws.size * ws.size;
  if (given.nucleus && given.cell) {
    const nucleus = new Uint8Array(n), cell = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      nucleus[i] = given.nucleus[i] ? 1 : 0;
      cell[i] = given.cell[i] ? 1 : 0;
    }
    return { nucleus, cell };
  }
  const [dna, tub, act] = ws.planes;
  return segmentCentreCell(dna, tub, act, ws.size, o.segmentation, given);
}

/** Computes the features of the crop already split into `ws.planes`, into `out[offset…)`. */
function featuresInto(ws: Workspace, masks: CellMasks, o: Resolved, out: Float32Array, offset: number): void {
  const S = ws.size, n = S * S;
  const { nucleus, cell } = masks;
  const cyto = ws.cyto;
  for (let i = 0; i < n; i++) cyto[i] = cell[i] && !nucleus[i] ? 1 : 0;
  const regions = [nucleus, cell, cyto];
  let k = offset;
  for (const region of regions) {
    for (const plane of ws.planes) {
      intensityFeatures(plane, region, S, out, k, ws.scratch);
      k += INTENSITY_COUNT;
    }
  }
  shapeFeatures(nucleus, S, out, k);
  k += SHAPE_MEASURES.length;
  shapeFeatures(cell, S, out, k);
  k += SHAPE_MEASURES.length;
  let centre = moments(nucleus, S);
  if (centre.area === 0) centre = moments(cell, S);
  radialFeatures(ws.planes, cell, S, centre.cx, centre.cy, o.rings, out, k);
  k += RADIAL_MEASURES.length * CHANNELS.length * o.rings;
  for (const plane of ws.planes) {
    quantize(plane, cell, o.levels, ws.q);
    haralickMulti(ws.q, S, o.levels, o.distances, out, k);
    k += HARALICK_COUNT * o.distances.length;
  }
  for (const [a, b] of CHANNEL_PAIRS) out[k++] = pearsonInMask(ws.planes[a], ws.planes[b], cell);
}

function checkMask(mask: Uint8Array | undefined, want: number, what: string, fn: string): void {
  if (mask !== undefined && mask.length !== want) {
    throw new RangeError(`${fn}: expected the ${what} mask to have ${want} values, got ${mask.length}`);
  }
}

/**
 * Segments the centre cell of a crop with the fallback of {@linkcode segmentCentreCell}, completing any
 * mask not given. Handy to inspect or draw what {@linkcode classicalFeatures} measures.
 *
 * @throws RangeError for a wrong-sized crop or mask.
 */
export function cropMasks(crop: Crop, masks: CropMasks = {}, options: ClassicalOptions = {}): CellMasks {
  const o = resolve(options);
  checkSize(crop.size, "cropMasks");
  const S = crop.size, n = S * S;
  if (crop.data.length !== n * 3) {
    throw new RangeError(`cropMasks: expected a ${S}×${S}×3 crop (${n * 3} values), got ${crop.data.length}`);
  }
  checkMask(masks.nucleus, n, "nucleus", "cropMasks");
  checkMask(masks.cell, n, "cell", "cropMasks");
  const ws = new Workspace(S);
  deinterleave(crop.data, 0, n, ws.planes);
  return resolveMasks(ws, masks, o);
}

/**
 * The classical features of one crop (see the module documentation for the input contract, the
 * features and the rule for undefined values).
 *
 * @param crop `{ size: S, data }`, HWC with channels DNA, tubulin, actin.
 * @param masks Optional `S×S` nucleus and cell masks of the centre cell; missing ones are segmented.
 * @param options Texture levels and distances, radial rings, segmentation settings.
 * @returns `Float32Array` of {@linkcode featureCount} values, named by {@linkcode featureNames}.
 * @throws RangeError when `data` does not hold `S·S·3` values or a mask does not hold `S·S`.
 */
export function classicalFeatures(
  crop: Crop,
  masks: CropMasks = {},
  options: ClassicalOptions = {},
): Float32Array {
  checkSize(crop.size, "classicalFeatures");
  const S = crop.size, n = S * S;
  if (crop.data.length !== n * 3) {
    throw new RangeError(
      `classicalFeatures: expected a ${S}×${S}×3 crop (${n * 3} values), got ${crop.data.length}`,
    );
  }
  checkMask(masks.nucleus, n, "nucleus", "classicalFeatures");
  checkMask(masks.cell, n, "cell", "classicalFeatures");
  const o = resolve(options);
  const out = new Float32Array(featureCount(options));
  const ws = new Workspace(S);
  deinterleave(crop.data, 0, n, ws.planes);
  featuresInto(ws, resolveMasks(ws, masks, o), o, out, 0);
  return out;
}

/**
 * The classical features of N crops.
 *
 * @param crops `[N, S, S, 3]` flat, HWC, channels DNA, tubulin, actin.
 * @param count N.
 * @param size S.
 * @param masks Optional `[N, S, S]` nucleus and/or cell masks; missing ones are segmented per crop.
 * @param options As {@linkcode classicalFeatures}.
 * @returns `Float32Array` `[N, D]` row-major, D = {@linkcode featureCount}.
 * @throws RangeError when `crops` does not hold `N·S·S·3` values or a mask does not hold `N·S·S`.
 */
export function classicalFeaturesBatch(
  crops: CropData,
  count: number,
  size: number,
  masks: BatchMasks = {},
  options: ClassicalOptions = {},
): Float32Array {
  checkSize(size, "classicalFeaturesBatch");
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(
      `classicalFeaturesBatch: expected a non-negative integer crop count N, got ${count}`,
    );
  }
  const n = size * size;
  if (crops.length !== count * n * 3) {
    throw new RangeError(
      `classicalFeaturesBatch: expected ${count} crops of ${size}×${size}×3 (${
        count * n * 3
      } values), got ${crops.length}`,
    );
  }
  checkMask(masks.nucleus, count * n, "nucleus", "classicalFeaturesBatch");
  checkMask(masks.cell, count * n, "cell", "classicalFeaturesBatch");
  const o = resolve(options);
  const D = featureCount(options);
  const out = new Float32Array(count * D);
  const ws = new Workspace(size);
  for (let i = 0; i < count; i++) {
    deinterleave(crops, i * n * 3, n, ws.planes);
    const given: CropMasks = {
      nucleus: masks.nucleus?.subarray(i * n, (i + 1) * n),
      cell: masks.cell?.subarray(i * n, (i + 1) * n),
    };
    featuresInto(ws, resolveMasks(ws, given, o), o, out, i * D);
  }
  return out;
}
