/**
 * Helpers shared by the tests of `lib/data`: where the real data lives and
 * whether it is present.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The project's sibling data folder, `../shared/data` from the repository root. */
export const SHARED_DATA: string = join(
  fileURLToPath(new URL("../../..", import.meta.url)),
  "shared",
  "data",
);

/** Real BBBC021 fields in the official layout (`Week2/Week2_24381/…`: plate Week2_24381, well B02, sites 1–3). */
export const BBBC021_FIELDS: string = join(SHARED_DATA, "bbbc021", "fields");

/** The official BBBC021 metadata CSVs (all 13,200 fields). */
export const BBBC021_METADATA: string = join(SHARED_DATA, "bbbc021", "metadata");

/**
 * Whether `../shared/data/<sub>` exists. When it does not, prints why the tests
 * that need it are skipped, so a user's fresh clone shows a clear message.
 */
export function haveSharedData(sub: string, what: string): boolean {
  const path = join(SHARED_DATA, sub);
  const ok = existsSync(path);
  if (!ok) {
    console.log(`Skipping ${what}: real data folder '${path}' is absent (see ../shared/data/README.md).`);
  }
  return ok;
}
