/**
 * Regenerates the site's test fixture (site/tests/fixture/results/) from a real results folder, small enough
 * to commit (< 3 MB): figures as smaller palette PNGs (large SVGs dropped from figures.json), sample grids and
 * cell strips re-encoded, evaluation.json cut to the authors' protocol and each set's best plus one more; a
 * profile `legacy`, its evaluation and realism as files written before replicate seeds have them (no `sd`,
 * `seeds`, `n_seeds` or `control`; realism without spread, per-seed rows or goals); and a profile `bare` with
 * only run.json (every optional part missing). The source should be a run with replicate seeds (`tiny`
 * trains LSGAN on two).
 *
 * ```sh
 * deno run -A site/tests/make_fixture.ts [results/tiny]
 * ```
 * @module
 */
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";

/** Where the fixture goes. */
export const FIXTURE: string = fileURLToPath(new URL("./fixture/results", import.meta.url));

/** SVGs at most this big stay in the fixture. */
const MAX_SVG = 25_000;
/** Figure PNGs are scaled down to at most this width. */
const FIGURE_WIDTH = 560;

type Json = Record<string, unknown>;

async function readJson(path: string): Promise<Json> {
  return JSON.parse(await Deno.readTextFile(path));
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(path, JSON.stringify(value, null, 2) + "\n");
}

async function copy(src: string, dest: string): Promise<void> {
  await Deno.mkdir(dirname(dest), { recursive: true });
  await Deno.copyFile(src, dest);
  await Deno.chmod(dest, 0o644);
}

/** Re-encodes a PNG as a palette PNG, at most `width` wide (nearest-neighbour when `pixelated`). */
async function png(
  src: string,
  dest: string,
  width?: number,
  pixelated = false,
): Promise<{ w: number; h: number }> {
  await Deno.mkdir(dirname(dest), { recursive: true });
  let img = sharp(await Deno.readFile(src));
  const meta = await img.metadata();
  if (width && meta.width! > width) img = img.resize({ width, kernel: pixelated ? "nearest" : "lanczos3" });
  const out = await img.png({ palette: true, quality: 80, compressionLevel: 9, effort: 10 }).toBuffer({
    resolveWithObject: true,
  });
  await Deno.writeFile(dest, out.data);
  return { w: out.info.width, h: out.info.height };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Writes the fixture profile `name` from the results folder `src`. */
export async function makeProfile(src: string, out: string): Promise<void> {
  await Deno.remove(out, { recursive: true }).catch(() => {});
  await copy(join(src, "run.json"), join(out, "run.json"));

  if (await exists(join(src, "evaluate"))) {
    const t1 = await readJson(join(src, "evaluate/table1.json"));
    await writeJson(join(out, "evaluate/table1.json"), t1);
    if (await exists(join(src, "evaluate/models.json"))) {
      await writeJson(join(out, "evaluate/models.json"), await readJson(join(src, "evaluate/models.json")));
    }
    const best = new Map<string, string>();
    for (const r of t1.rows as { set: string | null; best: { protocol: string } | null }[]) {
      if (r.set && r.best) best.set(r.set, r.best.protocol);
    }
    const ev = await readJson(join(src, "evaluate/evaluation.json")) as Record<string, Record<string, Json>>;
    const trimmed: Record<string, Record<string, Json>> = {};
    for (const [set, protocols] of Object.entries(ev)) {
      const keep = new Set(["cells-mean", "wells-median/none", best.get(set) ?? "cells-mean"]);
      trimmed[set] = {};
      for (const [name, v] of Object.entries(protocols)) {
        if (!keep.has(name)) continue;
        const report = v.report as Json;
        const map = report.map as Json | undefined;
        if (map) delete map.per_treatment;
        trimmed[set][name] = v;
      }
    }
    await writeJson(join(out, "evaluate/evaluation.json"), trimmed);
  }

  if (await exists(join(src, "figures/figures.json"))) {
    const figs = JSON.parse(await Deno.readTextFile(join(src, "figures/figures.json"))) as {
      files: Record<string, string>;
      width?: number;
      height?: number;
    }[];
    for (const f of figs) {
      if (f.files.svg) {
        const size = (await Deno.stat(join(src, "figures", f.files.svg))).size;
        if (size <= MAX_SVG) await copy(join(src, "figures", f.files.svg), join(out, "figures", f.files.svg));
        else delete f.files.svg;
      }
      if (f.files.png) {
        const s = await png(
          join(src, "figures", f.files.png),
          join(out, "figures", f.files.png),
          FIGURE_WIDTH,
        );
        f.width = s.w;
        f.height = s.h;
      }
      if (f.files.json) await copy(join(src, "figures", f.files.json), join(out, "figures", f.files.json));
    }
    await writeJson(join(out, "figures/figures.json"), figs);
  }

  for (const loss of ["dcgan", "wgan", "lsgan"]) {
    const dir = join(src, `train_${loss}`);
    if (!(await exists(dir))) continue;
    for (const f of ["train.json", "curves.json"]) {
      if (await exists(join(dir, f))) await copy(join(dir, f), join(out, `train_${loss}`, f));
    }
    if (await exists(join(dir, "samples"))) {
      for await (const e of Deno.readDir(join(dir, "samples"))) {
        if (!e.name.endsWith(".png")) continue;
        await png(join(dir, "samples", e.name), join(out, `train_${loss}/samples`, e.name), 264, true);
      }
    }
  }

  if (await exists(join(src, "gallery/gallery.json"))) {
    await copy(join(src, "gallery/gallery.json"), join(out, "gallery/gallery.json"));
    for await (const e of Deno.readDir(join(src, "gallery/cells"))) {
      if (e.name.endsWith(".png")) {
        await png(join(src, "gallery/cells", e.name), join(out, "gallery/cells", e.name));
      }
    }
  }
  for (
    const f of ["synthesize/phenotypes.json", "synthesize/synthetic.json", "dose_response/dose_response.json"]
  ) {
    if (await exists(join(src, f))) await copy(join(src, f), join(out, f));
  }
}

/** Drops what files written since replicate seeds add to a Table 1 entry or an evaluation entry. */
function unseeded(entry: Json | null): Json | null {
  if (!entry) return entry;
  const { n_seeds: _n, sd: _sd, seeds: _seeds, ...rest } = entry;
  return rest;
}

/**
 * Writes the profile `legacy` into `out` from the fixture profile `from` (already trimmed): run.json,
 * evaluate/ and the table1 and realism figures, as they were written before replicate seeds.
 */
export async function makeLegacyProfile(from: string, out: string): Promise<void> {
  await Deno.remove(out, { recursive: true }).catch(() => {});
  const run = await readJson(join(from, "run.json"));
  run.profile = "legacy";
  run.description =
    "results files from before replicate seeds: one seed, no sd, no untrained control, realism without spread (site test fixture)";
  await writeJson(join(out, "run.json"), run);
  const t1 = await readJson(join(from, "evaluate/table1.json"));
  t1.rows = (t1.rows as Json[]).map(({ control: _control, ...r }) => ({
    ...r,
    ours: unseeded(r.ours as Json | null),
    best: unseeded(r.best as Json | null),
  }));
  await writeJson(join(out, "evaluate/table1.json"), t1);
  const ev = await readJson(join(from, "evaluate/evaluation.json")) as Record<string, Record<string, Json>>;
  const legacy: Record<string, Record<string, Json>> = {};
  for (const [set, protocols] of Object.entries(ev)) {
    legacy[set] = { "cells-mean": unseeded(protocols["cells-mean"])! };
  }
  await writeJson(join(out, "evaluate/evaluation.json"), legacy);
  const figs = (await readJson(join(from, "figures/figures.json")) as unknown as Json[])
    .filter((f) => f.name === "realism" || f.name === "table1");
  for (const f of figs) {
    const files = f.files as Record<string, string>;
    delete files.svg;
    await copy(join(from, "figures", files.png), join(out, "figures", files.png));
    const fig = await readJson(join(from, "figures", files.json));
    const data = fig.data as Json;
    if (f.name === "realism") {
      // One row per GAN (its first seed, named as the GAN), no spread, no per-GAN summary or goals.
      fig.data = {
        n: data.n,
        size: data.size,
        spaces: (data.spaces as Json[]).map((sp) => ({
          space: sp.space,
          dims: sp.dims,
          rows: (sp.rows as Json[])
            .filter((r) =>
              r.gan === null || r.seed === (data.seeds as Record<string, number[]>)[r.gan as string][0]
            )
            .map(({ gan: _g, seed: _s, spread: _sp, ...r }) => ({
              ...r,
              generator: String(r.generator).replace(/ \(seed \d+\)$/, ""),
            })),
        })),
      };
    } else {
      fig.data = await readJson(join(out, "evaluate/table1.json"));
    }
    await writeJson(join(out, "figures", files.json), fig);
  }
  await writeJson(join(out, "figures/figures.json"), figs);
}

async function du(dir: string): Promise<number> {
  let n = 0;
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    n += e.isDirectory ? await du(p) : (await Deno.stat(p)).size;
  }
  return n;
}

if (import.meta.main) {
  const src = Deno.args[0] ?? "results/tiny";
  const name = basename(src);
  await makeProfile(src, join(FIXTURE, name));
  await makeLegacyProfile(join(FIXTURE, name), join(FIXTURE, "legacy"));
  // `bare`: run.json only, as a profile that exported nothing else would be.
  const run = await readJson(join(src, "run.json"));
  run.profile = "bare";
  run.description = "run.json only: a profile with every optional part missing (site test fixture)";
  await Deno.remove(join(FIXTURE, "bare"), { recursive: true }).catch(() => {});
  await writeJson(join(FIXTURE, "bare/run.json"), run);
  const fmt = await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", FIXTURE] }).output();
  if (!fmt.success) throw new Error(`deno fmt failed: ${new TextDecoder().decode(fmt.stderr)}`);
  const bytes = await du(FIXTURE);
  console.log(
    `${relative(Deno.cwd(), FIXTURE)}: ${(bytes / 1e6).toFixed(2)} MB (profiles ${name}, legacy, bare)`,
  );
  if (bytes > 3e6) console.warn("warning: the fixture is over 3 MB");
}
