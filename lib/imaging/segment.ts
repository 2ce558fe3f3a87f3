/**
 * One field of view end to end: quality checks, optional illumination correction, nuclei, cells, region
 * properties and crops ({@linkcode segmentField}). Pure computation on an in-memory field, so it runs the
 * same in the main thread and in a worker (see plate.ts for files, plates and workers).
 *
 * Field checks, before segmentation (a failing field is reported and skipped, never fatal):
 * - `"blank"`: the DNA channel's 0.1st–99.9th percentile range is below `blankRange` (default 0.2 % of
 *   the bit depth's full scale: an empty or out-of-focus field, a missing exposure);
 * - `"saturated"`: more than `maxSaturatedFraction` (default 5 %) of the pixels of some channel sit at the
 *   saturation value (255 for 8-bit; for 16-bit, 4095 when the field's maximum is ≤ 4095 — a 12-bit
 *   camera stored unscaled — else 65520, 12-bit data ×16, and above);
 * - `"no-cells"`: no nucleus found, or every crop window leaves the image.
 *
 * @module
 */

import type { FieldImage } from "../data/field.ts";
import { correctIllumination } from "./illumination.ts";
import { type CellOptions, segmentCells } from "./cells.ts";
import { type CropStack, extractCrops } from "./crops.ts";
import type { LabelImage } from "./labels.ts";
import { IntensityHistogram } from "./normalize.ts";
import { type NucleiOptions, segmentNuclei } from "./nuclei.ts";
import { regionProps } from "./regionprops.ts";
import { percentiles } from "./threshold.ts";

/**
 * Outcome of a field. `segmentField` gives the first four; the dataset driver (plate.ts) adds
 * `"missing-file"` (a channel file is absent: the field is not read), `"decode-error"` (a file cannot be read)
 * and `"error"` (anything else thrown while segmenting it).
 */
export type FieldStatus =
  | "ok"
  | "no-cells"
  | "blank"
  | "saturated"
  | "missing-file"
  | "decode-error"
  | "error";

/** Options for {@linkcode segmentField}. */
export interface SegmentOptions {
  /**
   * Typical nucleus diameter in pixels (default 25, the synthetic data; real BBBC021: 36, see
   * `BBBC021_NUCLEI` in nuclei.ts); passed to nuclei and cells.
   */
  diameter?: number;
  /** Nucleus segmentation options (see nuclei.ts). */
  nuclei?: NucleiOptions;
  /** Cell segmentation options (see cells.ts). */
  cells?: CellOptions;
  /** Crop side in pixels (default 96, as in the paper). */
  cropSize?: number;
  /** Zero the pixels outside the cell's mask in its crop (default false). */
  maskOutsideCell?: boolean;
  /** Illumination functions (DNA, tubulin, actin) to divide by, or null/absent for none. */
  illumination?: readonly [Float32Array, Float32Array, Float32Array] | null;
  /** Blank-field range in grey levels (default 0.2 % of full scale). */
  blankRange?: number;
  /** Largest tolerated fraction of saturated pixels in any channel (default 0.05). */
  maxSaturatedFraction?: number;
  /** Compute nucleus solidity (default true). */
  solidity?: boolean;
}

/** Measurements of one cell. */
export interface CellProps {
  /** Label of the nucleus and of the cell in the label images. */
  label: number;
  /** Nucleus centroid x, pixels. */
  centroidX: number;
  /** Nucleus centroid y, pixels. */
  centroidY: number;
  /** Nucleus area, pixels. */
  nucleusArea: number;
  /** Cell area, pixels (includes the nucleus). */
  cellArea: number;
  /** Nucleus bounding box (x0, y0 inclusive; x1, y1 exclusive). */
  bbox: { x0: number; y0: number; x1: number; y1: number };
  /** Nucleus eccentricity. */
  eccentricity: number;
  /** Nucleus solidity (NaN when not computed). */
  solidity: number;
  /** Index of the cell's crop in `crops`, or −1 when its window leaves the image. */
  crop: number;
}

/** Result of {@linkcode segmentField}. */
export interface SegmentFieldResult {
  /** `"ok"` or why the field was skipped. */
  status: FieldStatus;
  /** A human-readable reason for a skipped field ("" when ok). */
  message: string;
  /** Nucleus labels (empty when skipped before segmentation). */
  nuclei: LabelImage;
  /** Cell labels (same ids as the nuclei). */
  cells: LabelImage;
  /** One entry per nucleus. */
  props: CellProps[];
  /** Crops of the cells whose window lies inside the image, in `props` order. */
  crops: CropStack;
  /** Histogram of the cell pixels (after illumination correction), for per-plate scaling. */
  histogram: IntensityHistogram;
}

/** The saturation grey level of a field (see the module documentation). */
export function saturationLevel(field: FieldImage): number {
  if (field.bitDepth === 8) return 255;
  let max = 0;
  for (const ch of field.channels) for (let i = 0; i < ch.length; i++) if (ch[i] > max) max = ch[i];
  return max <= 4095 ? 4095 : 65520;
}

/** Checks a field for blank or saturated data; returns a status and message, or null when fine. */
export function checkField(
  field: FieldImage,
  options: Pick<SegmentOptions, "blankRange" | "maxSaturatedFraction"> = {},
): { status: "blank" | "saturated"; message: string } | null {
  const full = 2 ** field.bitDepth - 1;
  const blankRange = options.blankRange ?? 0.002 * full;
  const [lo, hi] = percentiles(field.channels[0], [0.001, 0.999]);
  if (!(hi - lo >= blankRange)) {
    return {
      status: "blank",
      message: `DNA channel is blank: 0.1–99.9th percentile range ${(hi - lo).toFixed(1)} < ${
        blankRange.toFixed(1)
      } grey levels`,
    };
  }
  const sat = saturationLevel(field);
  const maxFrac = options.maxSaturatedFraction ?? 0.05;
  const names = ["DNA", "tubulin", "actin"];
  for (let c = 0; c < 3; c++) {
    const ch = field.channels[c];
    let k = 0;
    for (let i = 0; i < ch.length; i++) if (ch[i] >= sat) k++;
    const frac = k / ch.length;
    if (frac > maxFrac) {
      return {
        status: "saturated",
        message: `${names[c]} channel is saturated: ${(100 * frac).toFixed(1)} % of pixels ≥ ${sat} (limit ${
          (100 * maxFrac).toFixed(1)
        } %)`,
      };
    }
  }
  return null;
}

function emptyLabels(width: number, height: number): LabelImage {
  return { width, height, labels: new Int32Array(width * height), count: 0 };
}

/**
 * Segments one field: checks, illumination correction (when `options.illumination` is given), nuclei
 * (DNA), cells (tubulin + actin), measurements and crops (channels DNA, tubulin, actin).
 *
 * @example
 * ```ts
 * const field = await loadField(root, meta.fields[0]);
 * const r = segmentField(field, { cropSize: 64 });
 * r.status; // "ok"
 * r.crops.count; // cells with a full 64×64 window
 * ```
 */
export function segmentField(field: FieldImage, options: SegmentOptions = {}): SegmentFieldResult {
  const { width, height } = field;
  const size = options.cropSize ?? 96;
  const histogram = new IntensityHistogram(field.bitDepth);
  const skipped = (status: FieldStatus, message: string): SegmentFieldResult => ({
    status,
    message,
    nuclei: emptyLabels(width, height),
    cells: emptyLabels(width, height),
    props: [],
    crops: { size, count: 0, data: new Uint16Array(0) },
    histogram,
  });
  const bad = checkField(field, options);
  if (bad) return skipped(bad.status, bad.message);
  const il = options.illumination;
  if (il && il.some((f) => f.length !== width * height)) {
    throw new RangeError(
      `segmentField: the illumination functions do not match the field's ${width}×${height} pixels`,
    );
  }
  const ch = (il ? field.channels.map((c, k) => correctIllumination(c, il[k])) : field.channels) as [
    ArrayLike<number>,
    ArrayLike<number>,
    ArrayLike<number>,
  ];
  const diameter = options.diameter ?? options.nuclei?.diameter ?? 25;
  const nuclei = segmentNuclei(ch[0], width, height, { diameter, ...options.nuclei });
  if (nuclei.count === 0) {
    return { ...skipped("no-cells", "no nucleus found"), nuclei };
  }
  const n = width * height;
  const cyto = new Float32Array(n);
  const [t, a] = [ch[1], ch[2]];
  for (let i = 0; i < n; i++) cyto[i] = t[i] + a[i];
  const cells = segmentCells(nuclei, cyto, { diameter, ...options.cells });
  const nprops = regionProps(nuclei.labels, nuclei.count, width, height, {
    solidity: options.solidity ?? true,
  });
  const cellArea = new Int32Array(nuclei.count + 1);
  for (let i = 0; i < n; i++) cellArea[cells.labels[i]]++;
  const { crops, index } = extractCrops(
    ch,
    width,
    height,
    nprops.map((p) => ({ label: p.label, x: p.centroidX, y: p.centroidY })),
    cells.labels,
    { size, maskOutsideCell: options.maskOutsideCell ?? false },
  );
  const props: CellProps[] = nprops.map((p, k) => ({
    label: p.label,
    centroidX: p.centroidX,
    centroidY: p.centroidY,
    nucleusArea: p.area,
    cellArea: cellArea[p.label],
    bbox: p.bbox,
    eccentricity: p.eccentricity,
    solidity: p.solidity,
    crop: index[k],
  }));
  if (crops.count === 0) {
    return {
      ...skipped(
        "no-cells",
        `${nuclei.count} nuclei found, but every ${size}×${size} crop window leaves the image`,
      ),
      nuclei,
      cells,
      props,
    };
  }
  const inCell = new Uint8Array(n);
  for (let i = 0; i < n; i++) inCell[i] = cells.labels[i] ? 1 : 0;
  histogram.add(ch, inCell);
  return { status: "ok", message: "", nuclei, cells, props, crops, histogram };
}
