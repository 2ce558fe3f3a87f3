/**
 * Outline overlays for looking at segmentations: a grey image (auto-contrasted between its 0.5th and
 * 99.8th percentiles) with the outlines of one or more label images drawn in colour, encoded as PNG with
 * fast-png.
 *
 * @module
 */

import { encode } from "fast-png";
import { outlines } from "./labels.ts";
import { percentiles } from "./threshold.ts";

/** A label image to outline and its colour. */
export interface OverlayLayer {
  /** Labels, 0 = background. */
  labels: ArrayLike<number>;
  /** RGB colour of the outlines. */
  color: [number, number, number];
}

/** Renders `gray` as RGB (8-bit, HWC) with the outlines of each layer drawn over it (later layers on top). */
export function outlineOverlay(
  gray: ArrayLike<number>,
  width: number,
  height: number,
  layers: readonly OverlayLayer[],
): Uint8Array {
  const n = width * height;
  const [lo, hi] = percentiles(gray, [0.005, 0.998]);
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const v = Math.max(0, Math.min(255, (gray[i] - lo) * scale));
    rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = v;
  }
  for (const layer of layers) {
    const labels = Int32Array.from(layer.labels);
    const edge = outlines(labels, width, height);
    for (let i = 0; i < n; i++) {
      if (edge[i]) {
        rgb[3 * i] = layer.color[0];
        rgb[3 * i + 1] = layer.color[1];
        rgb[3 * i + 2] = layer.color[2];
      }
    }
  }
  return rgb;
}

/** Encodes an 8-bit RGB HWC image as PNG bytes. */
export function encodeRgbPng(rgb: Uint8Array, width: number, height: number): Uint8Array {
  return encode({ width, height, data: rgb, channels: 3, depth: 8 });
}

/** Writes {@linkcode outlineOverlay} as a PNG file (atomically: temporary file, then rename). */
export async function writeOverlayPng(
  path: string,
  gray: ArrayLike<number>,
  width: number,
  height: number,
  layers: readonly OverlayLayer[],
): Promise<void> {
  const bytes = encodeRgbPng(outlineOverlay(gray, width, height, layers), width, height);
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.writeFile(tmp, bytes);
  await Deno.rename(tmp, path);
}
