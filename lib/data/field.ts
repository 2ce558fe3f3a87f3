/**
 * Loading the three channel TIFFs of a field of view into one typed structure.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { type Bbbc021Field, CHANNELS, fieldPaths } from "./bbbc021.ts";
import { readTiff } from "./tiff.ts";

/**
 * A field of view: three planar channels in the order DNA, tubulin, actin.
 * Each channel is row-major (`channels[c][y * width + x]`), raw intensities.
 */
export interface FieldImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Bit depth of the source files (8 or 16); values are not rescaled. */
  bitDepth: 8 | 16;
  /** DNA, tubulin and actin planes. */
  channels: [Uint16Array, Uint16Array, Uint16Array];
}

/** Options for {@linkcode loadFieldFiles} and {@linkcode loadField}. */
export interface LoadFieldOptions {
  /** When given, every channel must have this size (BBBC021: 1280×1024). */
  expectSize?: { width: number; height: number };
  /** Accepted bit depths (default 8 and 16; BBBC021 is 16). */
  expectBitDepth?: readonly (8 | 16)[];
  /** A label for error messages, e.g. `Week1_22123 B02 s1`. */
  label?: string;
}

/**
 * Loads three channel files (DNA, tubulin, actin) into a {@linkcode FieldImage}.
 *
 * @throws Error naming the file for a missing channel file, an unreadable TIFF,
 * a wrong size or bit depth, or channels that differ in size or bit depth.
 */
export async function loadFieldFiles(
  paths: readonly [string, string, string],
  options: LoadFieldOptions = {},
): Promise<FieldImage> {
  const label = options.label ? `field ${options.label}` : "field";
  const missing = paths.map((p, c) => [p, CHANNELS[c]] as const).filter(([p]) => !existsSync(p));
  if (missing.length > 0) {
    throw new Error(
      `Cannot load ${label}: expected 3 channel files, found ${3 - missing.length}; missing ${
        missing.map(([p, c]) => `${c} '${p}'`).join(", ")
      }`,
    );
  }
  // Sequential, so that the first bad channel (in DNA, tubulin, actin order) is the one reported.
  const images = [];
  for (const p of paths) {
    images.push(
      await readTiff(p, { expectSize: options.expectSize, expectBitDepth: options.expectBitDepth }),
    );
  }
  const [a] = images;
  for (let c = 1; c < 3; c++) {
    const b = images[c];
    if (b.width !== a.width || b.height !== a.height || b.bitDepth !== a.bitDepth) {
      throw new Error(
        `Cannot load ${label}: expected the ${CHANNELS[c]} file '${
          paths[c]
        }' to match the DNA file (${a.width}×${a.height}, ${a.bitDepth}-bit), found ${b.width}×${b.height}, ${b.bitDepth}-bit`,
      );
    }
  }
  return {
    width: a.width,
    height: a.height,
    bitDepth: a.bitDepth,
    channels: [images[0].data, images[1].data, images[2].data],
  };
}

/**
 * Loads a BBBC021 field (from {@linkcode readBbbc021Metadata}) whose files lie
 * under `imageRoot` (the folder holding the `WeekN/` folders).
 */
export function loadField(
  imageRoot: string,
  field: Bbbc021Field,
  options: LoadFieldOptions = {},
): Promise<FieldImage> {
  return loadFieldFiles(fieldPaths(imageRoot, field), {
    label: `${field.plate} ${field.well} s${field.site}`,
    ...options,
  });
}

/**
 * Interleaves a field's planes into one HWC array (`out[(y * width + x) * 3 + c]`),
 * for code that wants pixel-major data.
 */
export function interleaveField(field: FieldImage): Uint16Array {
  const n = field.width * field.height;
  const out = new Uint16Array(n * 3);
  const [d, t, a] = field.channels;
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    out[j] = d[i];
    out[j + 1] = t[i];
    out[j + 2] = a[i];
  }
  return out;
}
