/**
 * The headline of a profile's results, for the terminal (`reproduce`'s last lines, `deno task results`):
 * Table 1 beside the paper's (lib/report/table1_text.ts), from `evaluate/table1.json`, and where the site
 * is. It reads the exported results only.
 * @module
 */
import { join, relative } from "node:path";
import type { Headline } from "../workflow/mod.ts";
import { table1Text } from "../lib/report/table1_text.ts";
import { siteOut } from "./site.ts";

/** Table 1 and the site of the profile just run (see the module). */
export const headline: Headline = async ({ root, resultsDir, profile }) => {
  const lines: string[] = [];
  const file = join(resultsDir, profile, "evaluate", "table1.json");
  let table;
  try {
    table = JSON.parse(await Deno.readTextFile(file));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw new Error(`Cannot read ${file}: ${(e as Error).message}`);
  }
  const shown = (p: string) => relative(Deno.cwd(), p) || ".";
  if (!table) lines.push(`${profile}: no Table 1 (no ${shown(file)}: this profile has no MOA evaluation)`);
  else if (!Array.isArray(table.rows)) throw new Error(`${file}: expected a "rows" array (docs/results.md)`);
  else if (table.undefinedReason) lines.push(`${profile}: no Table 1: ${table.undefinedReason}`);
  else lines.push(table1Text(table, profile));
  const site = siteOut(root, resultsDir);
  const page = join(site, profile, "index.html");
  const built = await Deno.stat(page).then(() => true, () => false);
  lines.push(
    built
      ? `The site: ${shown(page)}; serve it with: deno task preview (then open the address it prints)`
      : `No site built yet for ${profile}: deno task site`,
  );
  lines.push(
    `Every file: ${
      shown(join(resultsDir, profile))
    }/ (docs/results.md); again: deno task results --profile ${profile}`,
  );
  return lines.join("\n");
};
