/**
 * `fetch_bbbc021`: the real BBBC021 data source (used by the `paper` profile). Downloads the official metadata
 * CSVs and per-plate zip archives into `dataDir` (outside the cache: ≈40 GB), resumably and in parallel, unpacks
 * them into `WeekN/<plate>/`, and outputs a dataset artifact: the two CSVs and a `dataset.json` pointing at the
 * images. An empty folder is filled; what a previous download left is verified and not fetched again.
 *
 * A folder that already holds BBBC021 images some other way (a copy, a subset of plates or fields) is used as
 * it is with `download=false`: nothing is fetched or written there; the plates whose `WeekN/<plate>/` folder
 * exists are used (all of `plates`, which must then exist), and `segment` attempts only the fields whose files
 * are there. `metadataDir` names the folder of the two CSVs when they are not in `dataDir`.
 *
 * The key includes a fingerprint of `dataDir` (every file's path and size) and of the metadata, so deleting or
 * changing the data makes the task run again; after a first download the fingerprint changes once, the rerun
 * only verifies, and its identical output leaves everything downstream cached.
 * @module
 */
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { defineTask, p } from "../workflow/mod.ts";
import { BBBC021_BASE_URL } from "../lib/data/bbbc021_urls.ts";

const dirOf = (dir: string, root: string) => (isAbsolute(dir) ? dir : resolve(root, dir));

/** The BBBC021 download task. */
export const fetchBbbc021 = defineTask({
  name: "fetch_bbbc021",
  version: 2,
  description: "the real BBBC021 images and metadata, downloaded into a data folder (or found there)",
  params: {
    dataDir: p.string("data/bbbc021", {
      doc: "where the images are or go, as WeekN/<plate>/ (relative to the project root, or absolute)",
    }),
    metadataDir: p.string("", {
      doc: "folder holding BBBC021_v1_image.csv and BBBC021_v1_moa.csv (empty: dataDir, downloaded there)",
    }),
    download: p.bool(true, {
      doc: "fetch what is missing; false: use dataDir as it is (the plates found there), never the network",
    }),
    baseUrl: p.string(BBBC021_BASE_URL, { doc: "where BBBC021 is served from (ending in /)" }),
    plates: p.strings([], {
      doc: "plates to fetch, e.g. Week1_22123 (empty: all 55; download=false: all found)",
    }),
    keepArchives: p.bool(false, { doc: "keep the zip archives after unpacking" }),
  },
  async fingerprint(params, root) {
    const { sha256 } = await import("../workflow/hash.ts");
    const { IMAGE_CSV, MOA_CSV } = await import("../lib/data/bbbc021.ts");
    const dir = dirOf(params.dataDir, root);
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
    if (params.metadataDir) {
      for (const f of [IMAGE_CSV, MOA_CSV]) {
        const path = join(dirOf(params.metadataDir, root), f);
        const text = await Deno.readTextFile(path).catch(() => "missing");
        entries.push(`metadata ${f} ${await sha256(text)}`);
      }
    }
    return sha256(entries.sort().join("\n"));
  },
  async run(ctx) {
    const { readBbbc021Metadata, summarizeBbbc021, IMAGE_CSV, MOA_CSV } = await import(
      "../lib/data/bbbc021.ts"
    );
    const { writeFileAtomic } = await import("../lib/data/atomic_write.ts");
    const dir = dirOf(ctx.params.dataDir, ctx.root);
    const metaDir = ctx.params.metadataDir ? dirOf(ctx.params.metadataDir, ctx.root) : dir;
    let plates = ctx.params.plates;
    if (ctx.params.download) {
      await download(ctx, dir, { metadata: !ctx.params.metadataDir });
    } else {
      const { platesPresent } = await import("../lib/data/field_census.ts");
      const found = await platesPresent(dir, (await readBbbc021Metadata(metaDir)).fields, plates);
      const line =
        `using ${dir} as it is (download=false): ${found.plates.length} of ${found.listed} plates (${
          found.plates.join(", ")
        })`;
      // A subset of the plates is worth a visible line: the others are left out without a word otherwise.
      if (found.plates.length < found.listed) ctx.log.warn(line);
      else ctx.log.info(line);
      plates = found.plates;
    }
    // The artifact: the metadata, and where the images are.
    for (const f of [IMAGE_CSV, MOA_CSV]) {
      await writeFileAtomic(join(ctx.out, f), await Deno.readFile(join(metaDir, f)));
    }
    const meta = await readBbbc021Metadata(metaDir);
    const wanted = new Set(plates);
    const fields = wanted.size ? meta.fields.filter((f) => wanted.has(f.plate)) : meta.fields;
    const summary = summarizeBbbc021({ ...meta, fields });
    const source = ctx.params.download ? ctx.params.baseUrl : "local";
    await writeFileAtomic(
      join(ctx.out, "dataset.json"),
      JSON.stringify({ imageRoot: dir, source, plates, summary }, null, 2) + "\n",
    );
  },
});

/** Downloads (or verifies) the metadata and plate archives into `dir`. */
async function download(
  ctx: {
    params: { baseUrl: string; plates: string[]; keepArchives: boolean };
    log: { info(line: string): void };
    progress: { start(total: number, unit: string): void; set(done: number): void; note(text: string): void };
    signal: AbortSignal;
  },
  dir: string,
  options: { metadata: boolean },
): Promise<void> {
  const { bbbc021DownloadList } = await import("../lib/data/bbbc021_urls.ts");
  const { downloadFiles, formatProgress } = await import("../lib/data/download.ts");
  await Deno.mkdir(dir, { recursive: true });
  const items = bbbc021DownloadList(dir, {
    baseUrl: ctx.params.baseUrl,
    plates: ctx.params.plates.length ? ctx.params.plates : undefined,
    metadata: options.metadata,
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
}
