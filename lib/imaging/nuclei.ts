/**
 * Nucleus segmentation from the DNA channel, the classic CellProfiler-style pipeline with the steps of
 * scikit-image's watershed example:
 *
 * 1. Gaussian smoothing (σ = `diameter / 12` by default: 2 px for the synthetic data, 3 px for real BBBC021)
 *    against photon noise;
 * 2. a global Otsu threshold of the smoothed image (times `thresholdScale`) — global rather than adaptive
 *    because illumination correction already flattened the field, and Otsu separates the bimodal
 *    DNA histogram (dark background, bright nuclei) without a per-dataset constant;
 * 3. fill holes (dim nucleoli), and drop objects under `minArea` (debris, micronuclei);
 * 4. split touching nuclei: exact Euclidean distance transform of the mask, one marker per h-maximum of
 *    the distance (dynamic ≥ `h` px, default `diameter × 0.14`: a neck must narrow the union by that much
 *    to count as two nuclei), and a marker-controlled watershed of the negated distance inside the mask;
 * 5. drop fragments under `minArea` again and renumber 1..count.
 *
 * @module
 */

import { gaussianBlur } from "./filters.ts";
import { minMax, otsuThreshold } from "./threshold.ts";
import {
  fillHoles,
  labelComponents,
  type LabelImage,
  relabelSequential,
  removeSmallObjects,
} from "./labels.ts";
import { distanceTransform } from "./distance.ts";
import { hMaxima } from "./morphology.ts";
import { watershed } from "./watershed.ts";

/** Options for {@linkcode segmentNuclei}. */
export interface NucleiOptions {
  /**
   * Typical nucleus diameter in pixels; the other defaults scale with it (default 25, the synthetic data;
   * real BBBC021: 36, see {@linkcode BBBC021_NUCLEI}).
   */
  diameter?: number;
  /** Gaussian σ of the pre-smoothing in pixels (default `diameter / 12`). */
  smoothSigma?: number;
  /** Multiplier on the Otsu threshold (default 1). */
  thresholdScale?: number;
  /** A fixed threshold on the smoothed image instead of Otsu's. */
  threshold?: number;
  /** Smallest object kept, pixels (default: area of a disk of diameter `diameter / 3`). */
  minArea?: number;
  /** Largest object kept, pixels (default: unbounded). */
  maxArea?: number;
  /** Split touching nuclei by distance-transform watershed (default true). */
  split?: boolean;
  /** h of the h-maxima markers, pixels of distance (default `diameter × 0.14`; real BBBC021: 2.5). */
  h?: number;
}

/**
 * Nucleus options for real BBBC021 fields (1280×1024, 16-bit), as the `paper` profile uses them. Measured on
 * plate Week2_24381, well B02 (DMSO), sites 1 and 2 (`../shared/data/bbbc021/fields`): the median nucleus
 * covers ≈ 1,000 px², a diameter of ≈ 36 px (the defaults' 25 px fit the synthetic data, whose nuclei are
 * ≈ 23 px). Touching nuclei there press flat against each other, so the distance transform dips little at
 * the contact: `h` 2.5 px splits the pairs seen on the overlay, where the default `diameter × 0.14` (5 px)
 * left 7 more touching pairs merged on site 1 (170 nuclei instead of 177); 2–3 px give 177–179.
 */
export const BBBC021_NUCLEI: Readonly<{ diameter: number; h: number }> = { diameter: 36, h: 2.5 };

/** Result of {@linkcode segmentNuclei}. */
export interface NucleiResult extends LabelImage {
  /** The threshold applied to the smoothed DNA image. */
  threshold: number;
  /** Fraction of pixels above the threshold (before removing small objects). */
  foregroundFraction: number;
}

/** The option values {@linkcode segmentNuclei} uses, with defaults filled in. */
export function resolveNucleiOptions(
  options: NucleiOptions = {},
): Required<Omit<NucleiOptions, "threshold">> & {
  threshold?: number;
} {
  const d = options.diameter ?? 25;
  if (!(d > 0)) throw new RangeError(`segmentNuclei: expected a positive diameter, got ${d}`);
  return {
    diameter: d,
    smoothSigma: options.smoothSigma ?? d / 12,
    thresholdScale: options.thresholdScale ?? 0.8,
    threshold: options.threshold,
    minArea: options.minArea ?? Math.round(Math.PI * (d / 6) ** 2),
    maxArea: options.maxArea ?? Infinity,
    split: options.split ?? true,
    h: options.h ?? d * 0.14,
  };
}

/** Segments nuclei in a DNA image (any numeric array, row-major). */
export function segmentNuclei(
  dna: ArrayLike<number>,
  width: number,
  height: number,
  options: NucleiOptions = {},
): NucleiResult {
  const o = resolveNucleiOptions(options);
  const n = width * height;
  if (dna.length !== n) {
    throw new RangeError(`segmentNuclei: expected ${n} pixels for ${width}×${height}, got ${dna.length}`);
  }
  const smooth = gaussianBlur(dna, width, height, o.smoothSigma);
  const [lo, hi] = minMax(smooth);
  if (!(hi - lo > 1e-4 * Math.max(1, Math.abs(hi)))) {
    // A flat image has no objects (and Otsu's threshold would be meaningless).
    return { width, height, labels: new Int32Array(n), count: 0, threshold: hi, foregroundFraction: 0 };
  }
  const threshold = o.threshold ?? otsuThreshold(smooth) * o.thresholdScale;
  const fg = new Uint8Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (smooth[i] > threshold) {
      fg[i] = 1;
      count++;
    }
  }
  const filled = fillHoles(fg, width, height);
  let objects = removeSmallObjects(labelComponents(filled, width, height, 8), o.minArea);
  if (o.split && objects.count > 0) {
    const mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) mask[i] = objects.labels[i] > 0 ? 1 : 0;
    const dist = distanceTransform(mask, width, height);
    const markers = objectMarkers(dist, objects, o.h);
    const neg = new Float32Array(n);
    for (let i = 0; i < n; i++) neg[i] = -dist[i];
    const split = watershed(neg, markers, width, height, { mask });
    objects = removeSmallObjects(relabelSequential(split, width, height), o.minArea, o.maxArea);
  } else if (o.maxArea < Infinity) {
    objects = removeSmallObjects(objects, o.minArea, o.maxArea);
  }
  return { ...objects, threshold, foregroundFraction: count / n };
}

/**
 * Watershed markers from the h-maxima of `dist`, computed object by object inside each object's
 * bounding box (1 px margin), which touches only the foreground's neighbourhood instead of the whole
 * field. Returns a marker image with labels 1..k.
 */
export function objectMarkers(dist: Float32Array, objects: LabelImage, h: number): Int32Array {
  const { labels, count, width, height } = objects;
  const x0 = new Int32Array(count + 1).fill(width), y0 = new Int32Array(count + 1).fill(height);
  const x1 = new Int32Array(count + 1).fill(-1), y1 = new Int32Array(count + 1).fill(-1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const l = labels[y * width + x];
      if (!l) continue;
      if (x < x0[l]) x0[l] = x;
      if (x > x1[l]) x1[l] = x;
      if (y < y0[l]) y0[l] = y;
      if (y > y1[l]) y1[l] = y;
    }
  }
  const markers = new Int32Array(width * height);
  let next = 0;
  for (let l = 1; l <= count; l++) {
    if (x1[l] < 0) continue;
    const ax = Math.max(0, x0[l] - 1), ay = Math.max(0, y0[l] - 1);
    const bw = Math.min(width - 1, x1[l] + 1) - ax + 1, bh = Math.min(height - 1, y1[l] + 1) - ay + 1;
    const sub = new Float32Array(bw * bh);
    for (let y = 0; y < bh; y++) {
      const o = (ay + y) * width + ax;
      for (let x = 0; x < bw; x++) if (labels[o + x] === l) sub[y * bw + x] = dist[o + x];
    }
    const peaks = labelComponents(hMaxima(sub, bw, bh, h), bw, bh, 8);
    for (let y = 0; y < bh; y++) {
      const o = (ay + y) * width + ax;
      for (let x = 0; x < bw; x++) {
        const m = peaks.labels[y * bw + x];
        if (m) markers[o + x] = next + m;
      }
    }
    next += peaks.count;
  }
  return markers;
}
