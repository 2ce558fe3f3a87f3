/**
 * The data every page renders, handed from `build.ts` to the Astro pages (same process) through a global, and
 * the site's page list. When the pages run without `build.ts` (e.g. `astro dev`), the data is loaded from the
 * folder in MORPHOGAN_SITE_RESULTS (default `../results` from site/).
 * @module
 */
import process from "node:process";
import { fileURLToPath } from "node:url";
import { listProfiles, loadProfile, type Profile } from "./load.ts";

/** Everything the site is built from. */
export interface SiteData {
  profiles: Profile[];
  /** When the newest run it shows finished (ISO): the same results build the same pages. */
  builtAt: string;
}

const KEY = Symbol.for("morphogan.site.data");
type Holder = { [KEY]?: SiteData };

/** Hands the loaded data to the pages (called by `buildSite`). */
export function setSiteData(data: SiteData | undefined): void {
  (globalThis as Holder)[KEY] = data;
}

/** The loaded data (loads it from MORPHOGAN_SITE_RESULTS when `buildSite` did not). */
export function siteData(): SiteData {
  const held = (globalThis as Holder)[KEY];
  if (held) return held;
  const env = process.env;
  const results = env.MORPHOGAN_SITE_RESULTS ?? fileURLToPath(new URL("../../results", import.meta.url));
  const only = env.MORPHOGAN_SITE_PROFILES?.split(",").filter(Boolean);
  const names = only?.length ? only : listProfiles(results);
  const profiles = names.map((n) => loadProfile(results, n));
  const data = {
    profiles,
    builtAt: profiles.map((p) => p.run.finished).sort().at(-1) ?? new Date(0).toISOString(),
  };
  setSiteData(data);
  return data;
}

/** The pages of each profile: site path under `<profile>/`, title, and what it shows. */
export const PAGES = [
  { slug: "", title: "Overview", blurb: "what was reproduced, Table 1 beside the paper, key figures" },
  { slug: "figures/", title: "Figures", blurb: "every figure with its caption, numbers and provenance" },
  { slug: "moa/", title: "MOA explorer", blurb: "each treatment, its nearest neighbour and example cells" },
  {
    slug: "models/",
    title: "Models",
    blurb: "every model: loss curves, samples, interpolation, real cells in latent space, realism",
  },
  { slug: "data/", title: "Data", blurb: "the dataset in numbers, example cells per MOA, phenotypes" },
  { slug: "pipeline/", title: "Pipeline", blurb: "the task DAG as it ran: state, duration, key per task" },
] as const;

/** A page slug. */
export type PageSlug = typeof PAGES[number]["slug"];

/** The site path of a profile's page. */
export function pagePath(profile: string, slug: PageSlug | string): string {
  return `${profile}/${slug}`;
}

/** The site path of a file of a profile's results folder (copied under `<profile>/files/`). */
export function filePath(profile: string, rel: string): string {
  return `${profile}/files/${rel.split("/").map(encodeURIComponent).join("/")}`;
}
