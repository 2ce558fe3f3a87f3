/**
 * Helpers shared by the tests of `lib/imaging`: synthetic shapes and the real example field.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import { SHARED_DATA } from "../data/test_util.ts";

/** The real CC-0 example field (`../shared/data/example-human`, d0 = DNA). */
export const EXAMPLE_HUMAN_DNA: string = join(
  SHARED_DATA,
  "example-human",
  "AS_09125_050116030001_D03f00d0.tif",
);

/** Whether the example field exists; prints why tests that need it are skipped when it does not. */
export function haveExampleHuman(what: string): boolean {
  const ok = existsSync(EXAMPLE_HUMAN_DNA);
  if (!ok) {
    console.log(
      `Skipping ${what}: real example field '${EXAMPLE_HUMAN_DNA}' is absent (see ../shared/data/README.md).`,
    );
  }
  return ok;
}

/** A 0/1 mask with filled disks `[cx, cy, r]`. */
export function disks(width: number, height: number, list: readonly [number, number, number][]): Uint8Array {
  const m = new Uint8Array(width * height);
  for (const [cx, cy, r] of list) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) m[y * width + x] = 1;
    }
  }
  return m;
}
