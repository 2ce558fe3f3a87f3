/**
 * `fetch_bbbc021`: the real BBBC021 data source (used by the `paper` profile). Downloads the official metadata
 * CSVs and per-plate zip archives into `dataDir` (outside the cache: ≈40 GB), resumably and in parallel, unpacks
 * them into `WeekN/<plate>/`, and outputs a dataset artifact: the two CSVs and a `dataset.json` pointing at the
 * images. A folder that already holds BBBC021 is verified and used as it is; an empty one is filled.
 *
 * The key includes a fingerprint of `dataDir` (every file's path and size), so deleting or changing the data
 * makes the task run again; after a first download the fingerprint changes once, the rerun only verifies, and
 * its identical output leaves everything downstream cached.
 * @module
 */
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { defineTask, p } from "../workflow/mod.ts";
import { BBBC021_BASE_URL } from "../lib/data/bbbc021_urls.ts";

const dataDirOf = (dir: string, root: string) => (isAbsolute(dir) ? dir : resolve(root, dir));

/** The BBBC021 download task. */
export const fetchBbbc021 = defineTask({
  name: "fetch_bbbc021",
  version: 1,
  description: "the real BBBC021 images and metadata, downloaded into a data folder",
  params: {
    dataDir: p.string("data/bbbc021", {
      doc: "where the images go (relative to the project root, or absolute)",
    }),
    baseUrl: p.string(BBBC021_BASE_URL, { doc: "where BBBC021 is served from (ending in /)" }),
    plates: p.strings([], { doc: "plates to fetch, e.g. Week1_22123 (empty: all 55)" }),
    keepArchives: p.bool(false, { doc: "keep the zip archives after unpacking" }),
  },
  async fingerprint(params, root) {
    const { sha256 } = await import("../workflow/hash.ts");
    const dir = dataDirOf(params.dataDir, root);
    const entries: string[] = [];
    const walk = async (d: string) => {
      for await (const e of Deno.readDir(d)) {
        const path = join(d, e.name);
        if (e.isDirectory) await walk(path);
        else if (e.isFile && !e.name.endsWith(".part")) {
          entries.push(`${relative(dir, path).split(sep).join("/")} ${(await Deno.stat(path)).size}`);
        }
      }
    };
    try {
      await walk(dir);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    return sha256(entries.sort().join("\n"));
  },
  async run(ctx) {
    const { bbbc021DownloadList } = await import("../lib/data/bbbc021_urls.ts");
    const { downloadFiles, formatProgress } = await import("../lib/data/download.ts");
    const { readBbbc021Metadata, summarizeBbbc021, IMAGE_CSV, MOA_CSV } = await import(
      "../lib/data/bbbc021.ts"
    );
    const dir = dataDirOf(ctx.params.dataDir, ctx.root);
    await Deno.mkdir(dir, { recursive: true });
    const items = bbbc021DownloadList(dir, {
      baseUrl: ctx.params.baseUrl,
      plates: ctx.params.plates.length ? ctx.params.plates : undefined,
    });
    ctx.log.info(`fetching ${items.length} files from ${ctx.params.baseUrl} into ${dir}`);
    let unit = "";
    let lastLog = 0;
    const results = await downloadFiles(items, {
      keepArchives: ctx.params.keepArchives,
      signal: ctx.signal,
      onProgress(pr) {
        if (pr.bytesTotal !== null && unit === "") {
          unit = "MiB";
          ctx.progress.start(Math.ceil(pr.bytesTotal / 2 ** 20), unit);
        }
        if (unit) ctx.progress.set(Math.floor(pr.bytesDone / 2 ** 20));
        ctx.progress.note(`${pr.filesDone}/${pr.filesTotal} files`);
        if (Date.now() - lastLog > 60_000) {
          lastLog = Date.now();
          ctx.log.info(formatProgress(pr));
        }
      },
    });
    const fetched = results.filter((r) => r.status === "downloaded").length;
    ctx.log.info(`${fetched} files downloaded, ${results.length - fetched} already present`);
    // The artifact: the metadata, and where the images are.
    for (const f of [IMAGE_CSV, MOA_CSV]) await Deno.copyFile(join(dir, f), join(ctx.out, f));
    const meta = await readBbbc021Metadata(dir);
    const wanted = new Set(ctx.params.plates);
    const fields = wanted.size ? meta.fields.filter((f) => wanted.has(f.plate)) : meta.fields;
    const summary = summarizeBbbc021({ ...meta, fields });
    await Deno.writeTextFile(
      join(ctx.out, "dataset.json"),
      JSON.stringify(
        { imageRoot: dir, source: ctx.params.baseUrl, plates: ctx.params.plates, summary },
        null,
        2,
      ) +
        "\n",
    );
  },
});
