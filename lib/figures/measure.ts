/**
 * Attributes measured on a crop (`S×S×3` HWC in [−1, 1], channels DNA, tubulin, actin), real or generated,
 * for the latent vector algebra of Fig. 3:
 *
 * - `nucleus_area`: pixels of the centre nucleus, segmented from the DNA channel as the classical features
 *   do (lib/profiling/crop_segment.ts: Gaussian σ 1, Otsu, the component nearest the centre, holes filled);
 * - `tubulin`: tubulin content, the mean tubulin intensity of the crop mapped to [0, 1].
 * @module
 */
import { segmentCentreCell } from "../profiling/crop_segment.ts";

/** A named per-crop measurement. */
export interface Attribute {
  name: string;
  /** Axis label, with its unit. */
  label: string;
  /** The value of crop `k` of `images` (`[N, S, S, 3]`). */
  measure(images: Float32Array, k: number, size: number): number;
}

function plane(images: Float32Array, k: number, size: number, c: number): Float32Array {
  const n = size * size, out = new Float32Array(n), base = k * n * 3;
  for (let i = 0; i < n; i++) out[i] = (images[base + i * 3 + c] + 1) / 2;
  return out;
}

/** Area in pixels of the centre nucleus segmented from the DNA channel (0 when none is found). */
export function nucleusArea(images: Float32Array, k: number, size: number): number {
  const masks = segmentCentreCell(
    plane(images, k, size, 0),
    plane(images, k, size, 1),
    plane(images, k, size, 2),
    size,
  );
  let a = 0;
  for (const v of masks.nucleus) a += v;
  return a;
}

/** Mean tubulin intensity of the crop, in [0, 1]. */
export function tubulinContent(images: Float32Array, k: number, size: number): number {
  const n = size * size, base = k * n * 3;
  let s = 0;
  for (let i = 0; i < n; i++) s += images[base + i * 3 + 1];
  return (s / n + 1) / 2;
}

/** The attributes of Fig. 3. */
export const ATTRIBUTES: readonly Attribute[] = [
  { name: "nucleus_area", label: "nucleus area (px)", measure: nucleusArea },
  { name: "tubulin", label: "tubulin content (mean intensity, 0–1)", measure: tubulinContent },
];

/** Measures every crop of `images` (`[n, S, S, 3]`). */
export function measureAll(
  attribute: Attribute,
  images: Float32Array,
  n: number,
  size: number,
): Float64Array {
  if (images.length !== n * size * size * 3) {
    throw new RangeError(`measureAll: expected ${n}×${size}×${size}×3 values, got ${images.length}`);
  }
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = attribute.measure(images, k, size);
  return out;
}
