/**
 * The site without a browser: building the committed fixture (site/tests/fixture/results: `tiny`, trimmed by
 * make_fixture.ts, with LSGAN on two seeds; `legacy`, its files as written before replicate seeds; `bare`,
 * run.json only), the schemas' errors on malformed files, and the pure helpers.
 */
import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSite, normalizeBase, parseArgs } from "../build.ts";
import { listProfiles, loadProfile, sortProfiles } from "../lib/load.ts";
import { featureSets, pctSd, protocolLabel } from "../lib/view.ts";
import { ResultsFileError } from "../lib/schema.ts";
import { layoutDag } from "../lib/dag.ts";
import { duration, pct, rel } from "../lib/format.ts";
import { niceTicks } from "../lib/chart.ts";
import { FIXTURE } from "./make_fixture.ts";

/** Astro's bundler keeps timers and files of its own; the build is checked by its output. */
const astro = { sanitizeOps: false, sanitizeResources: false };

async function htmlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith(".html")) out.push(join(e.parentPath, e.name));
  }
  return out.sort();
}

Deno.test("site: the fixture builds every page of every profile with relative URLs only", astro, async () => {
  const out = await mkdtemp(join(tmpdir(), "morphogan-site-"));
  try {
    const lines: string[] = [];
    const r = await buildSite({ results: FIXTURE, out, log: (l) => lines.push(l) });
    assert.equal(r.pages, 1 + 6 * 3, lines.join("\n"));
    const files = await htmlFiles(out);
    for (const page of ["index.html", "tiny/index.html", "tiny/moa/index.html", "bare/pipeline/index.html"]) {
      assert.ok(files.includes(join(out, page)), `missing ${page}`);
    }
    for (const f of files) {
      const html = await readFile(f, "utf8");
      // No root-relative or external URLs in src/href: the site works at any base and offline.
      const urls = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
      for (const u of urls) {
        assert.ok(!u.startsWith("/"), `${f}: root-relative or external URL ${u}`);
        assert.ok(!/^[a-z]+:/i.test(u) || u.startsWith("data:"), `${f}: external URL ${u}`);
      }
    }
    const overview = await readFile(join(out, "tiny/index.html"), "utf8");
    assert.match(overview, /<table id="table1"/);
    assert.match(overview, /\d+\.\d&nbsp;%|\d+\.\d\u00a0%/, "Table 1 shows percentages");
    assert.match(overview, /Ljosa V, Sokolnicki KL, Carpenter AE/);
    assert.match(overview, /doi:10\.1101\/227645/);
    const bare = await readFile(join(out, "bare/index.html"), "utf8");
    assert.match(bare, /has no evaluation/);
    // Seeds: LSGAN's Table 1 numbers are a mean ± sd over 2 seeds, beside the untrained control.
    const lsgan = /<th scope="row">LSGAN<\/th>([\s\S]*?)<\/tr>/.exec(overview)![1];
    assert.match(lsgan, /\d+\.\d(?:&nbsp;|\u00a0)%<br><span class="muted sd">± \d+\.\d<\/span>/);
    assert.match(lsgan, /<td class="num">2<\/td>/, "the number of seeds");
    assert.match(overview, /<th scope="col" class="num">Control NSC<\/th>/);
    assert.match(
      overview,
      /against (?:each batch(?:'|&#39;)s|all) DMSO cells, then the mean per treatment|wells(?:'|&#39;) means/,
    );
    // The same table from files written before replicate seeds: one seed, no sd, no control column.
    const legacy = await readFile(join(out, "legacy/index.html"), "utf8");
    const legacyTable = /<table id="table1"[\s\S]*?<\/table>/.exec(legacy)![0];
    assert.doesNotMatch(legacyTable, /±|Control NSC|Seeds/);
    assert.match(legacyTable, /\d+\.\d(?:&nbsp;|\u00a0)%/);
    // Realism per seed on the models page; the legacy file has one row per GAN and no summary.
    const models = await readFile(join(out, "tiny/models/index.html"), "utf8");
    assert.match(models, /<table class="cap-top" id="realism-seeds">/);
    assert.match(models, /LSGAN \(seed \d+\)/);
    assert.match(models, /id="realism-goals"/);
    assert.match(models, /no collapse: spread within 20/);
    const legacyModels = await readFile(join(out, "legacy/models/index.html"), "utf8");
    assert.doesNotMatch(legacyModels, /realism-seeds|realism-goals|<th scope="col" class="num">Spread<\/th>/);
    assert.match(legacyModels, /<th scope="row">LSGAN<\/th>/);
    // The root lists the profiles with their data source marked.
    const root = await readFile(join(out, "index.html"), "utf8");
    assert.match(root, /<span class="badge synthetic">synthetic data<\/span>/);
    // The results files are copied beside the pages.
    for (
      const f of ["tiny/files/run.json", "tiny/files/figures/figures.json", "tiny/files/gallery/gallery.json"]
    ) {
      await readFile(join(out, f));
    }
    // Building again into a previous build replaces it.
    const again = await buildSite({ results: FIXTURE, out, profiles: ["bare"], base: "/x/y" });
    assert.equal(again.pages, 1 + 6);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

Deno.test("site: data without NSC (one compound) says why and shows the dose response", astro, async () => {
  const dir = await mkdtemp(join(tmpdir(), "morphogan-site-dose-"));
  try {
    await cp(join(FIXTURE, "tiny"), join(dir, "crops"), { recursive: true });
    const file = join(dir, "crops/evaluate/table1.json");
    const t1 = JSON.parse(await readFile(file, "utf8"));
    t1.undefinedReason =
      "NSC needs annotated treatments of at least 2 compounds besides DMSO; this data has 1";
    for (const r of t1.rows) r.ours = r.best = r.control = null;
    await writeFile(file, JSON.stringify(t1));
    await writeFile(join(dir, "crops/evaluate/evaluation.json"), "{}");
    // One compound at three doses, as the real-crops profile has.
    const dose = {
      sets: Object.fromEntries(["dcgan", "classical"].map((set, k) => [set, {
        unit: "site",
        control: "DMSO",
        controlSites: 16,
        features: 100,
        controlSpread: 1.1 + k,
        compounds: [{
          compound: "cycloheximide",
          moa: "Protein synthesis",
          spearman: 1,
          ordered: true,
          doses: [
            {
              treatment: "cycloheximide@5",
              concentration: 5,
              sites: 1,
              cells: 108,
              map: null,
              p: null,
              distance: 2.8,
              note: "one site: no replicate to retrieve",
            },
            {
              treatment: "cycloheximide@15",
              concentration: 15,
              sites: 4,
              cells: 388,
              map: 0.75,
              p: 0.0004,
              distance: 3.6,
            },
            {
              treatment: "cycloheximide@50",
              concentration: 50,
              sites: 4,
              cells: 382,
              map: 1,
              p: 0.0001,
              distance: 4.6,
            },
          ],
        }],
      }])),
    };
    await mkdir(join(dir, "crops/dose_response"), { recursive: true });
    await writeFile(join(dir, "crops/dose_response/dose_response.json"), JSON.stringify(dose));
    const out = join(dir, "out");
    await buildSite({ results: dir, out });
    const html = await readFile(join(out, "crops/index.html"), "utf8");
    assert.match(html, /Not measured on this data: NSC needs annotated treatments/);
    assert.match(html, /<table id="table1" data-undefined/);
    assert.match(html, /<table id="dose-response"/);
    assert.match(html, /cycloheximide 15 µM/);
    assert.match(html, /&lt; 0\.001/);
    assert.match(html, /0\.75/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

Deno.test(
  "site: a protocol that is not applicable is listed with its reason, not offered",
  astro,
  async () => {
    const dir = await mkdtemp(join(tmpdir(), "morphogan-site-na-"));
    try {
      await cp(join(FIXTURE, "tiny"), join(dir, "tiny"), { recursive: true });
      const file = join(dir, "tiny/evaluate/evaluation.json");
      const ev = JSON.parse(await readFile(file, "utf8"));
      const reason =
        "featureSelect: every one of the 100 features was excluded (drop_outliers 100; expected at " +
        "least one to remain); after: madRobustize: 1900 (plate, feature) pair(s) have a control MAD of 0";
      ev.dcgan["wells-mean/robustize+select"] = { not_applicable: reason };
      await writeFile(file, JSON.stringify(ev));
      const tiny = loadProfile(dir, "tiny");
      const dcgan = featureSets(tiny.evaluation, tiny.table1).find((s) => s.set === "dcgan")!;
      assert.deepEqual(dcgan.notApplicable, { "wells-mean/robustize+select": reason });
      assert.ok(!dcgan.protocols.includes("wells-mean/robustize+select"));
      assert.deepEqual(dcgan.protocols, ["cells-mean", "cells-zscore/batch", "wells-median/none"]);
      const out = join(dir, "out");
      await buildSite({ results: dir, out });
      const html = await readFile(join(out, "tiny/moa/index.html"), "utf8");
      assert.match(html, /1 protocol not applicable on this data/);
      assert.match(
        html,
        /wells(?:'|&#39;) means, robust z-score per plate against DMSO wells, feature selection, then the mean per treatment \(<code>wells-mean\/robustize\+select<\/code>\): featureSelect: every one of the 100/,
      );
      assert.doesNotMatch(html, /<option value="wells-mean\/robustize\+select"/);
      // An entry with neither a report nor a reason is malformed.
      ev.dcgan["wells-mean/robustize+select"] = {};
      await writeFile(file, JSON.stringify(ev));
      assert.throws(
        () => loadProfile(dir, "tiny"),
        /evaluation\.json:\n\s+dcgan\["wells-mean\/robustize\+select"\]: expected summary and report, or not_applicable/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);

Deno.test("site: a malformed results file fails the build naming the file and the field", astro, async () => {
  const dir = await mkdtemp(join(tmpdir(), "morphogan-site-bad-"));
  try {
    await cp(join(FIXTURE, "tiny"), join(dir, "tiny"), { recursive: true });
    const file = join(dir, "tiny/evaluate/table1.json");
    const t1 = JSON.parse(await readFile(file, "utf8"));
    t1.rows[1].ours.nsc_per_compound = "high";
    await writeFile(file, JSON.stringify(t1));
    const out = join(dir, "out");
    await assert.rejects(buildSite({ results: dir, out }), (e: unknown) => {
      assert.ok(e instanceof ResultsFileError, String(e));
      assert.equal(e.file, file);
      assert.match(e.message, /tiny\/evaluate\/table1\.json/);
      assert.match(e.message, /rows\[1\]\.ours\.nsc_per_compound: .*expected number/);
      return true;
    });
    await assert.rejects(readdir(out), "nothing is written before the data is valid");

    await writeFile(file, "{ not json");
    assert.throws(() => loadProfile(dir, "tiny"), /Malformed results file .*table1\.json/);
    await writeFile(file, JSON.stringify(t1).replace('"high"', "0.5"));

    const gallery = join(dir, "tiny/gallery/gallery.json");
    const g = JSON.parse(await readFile(gallery, "utf8"));
    g.treatments[2].image = "cells/nope.png";
    await writeFile(gallery, JSON.stringify(g));
    assert.throws(
      () => loadProfile(dir, "tiny"),
      /gallery\.json: treatments\[2\]\.image: the image .*nope\.png/,
    );
    delete g.counts;
    await writeFile(gallery, JSON.stringify(g));
    assert.throws(() => loadProfile(dir, "tiny"), /gallery\.json:\n\s+counts: /);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

Deno.test("site: profiles are listed real-moa first, then quick, and optional parts may be missing", () => {
  assert.deepEqual(listProfiles(FIXTURE), ["bare", "legacy", "tiny"]);
  assert.deepEqual(sortProfiles(["tiny", "quick", "real-crops", "real-moa", "bare"]), [
    "real-moa",
    "quick",
    "bare",
    "real-crops",
    "tiny",
  ]);
  const bare = loadProfile(FIXTURE, "bare");
  assert.equal(bare.table1, undefined);
  assert.equal(bare.gallery, undefined);
  assert.deepEqual(bare.figures, []);
  const tiny = loadProfile(FIXTURE, "tiny");
  assert.ok(tiny.table1 && tiny.evaluation && tiny.gallery && tiny.phenotypes && tiny.realism);
  assert.deepEqual(tiny.realism.seeds, { dcgan: [0], wgan: [0], lsgan: [0, 1] });
  const lsgan = tiny.table1.rows.find((r) => r.set === "lsgan")!;
  assert.equal(lsgan.best?.n_seeds, 2);
  assert.ok(lsgan.control, "GAN rows carry the untrained control");
  const legacy = loadProfile(FIXTURE, "legacy");
  assert.equal(legacy.table1!.rows.find((r) => r.set === "lsgan")!.control, null, "no control: read as null");
  assert.equal(legacy.realism!.gans, undefined);
  assert.equal(tiny.trainings.length, 3);
  assert.ok(tiny.trainings.every((t) => t.curves && t.samples.length > 0));
});

Deno.test("site: helpers — DAG layout, formats, ticks, arguments", () => {
  const dag = layoutDag([
    { id: "a", width: 80, inputs: [] },
    { id: "b", width: 80, inputs: ["a"] },
    { id: "c", width: 80, inputs: ["a"] },
    { id: "d", width: 80, inputs: ["b", "c", "a"] },
  ]);
  const at = new Map(dag.nodes.map((n) => [n.id, n]));
  assert.deepEqual(["a", "b", "c", "d"].map((id) => at.get(id)!.layer), [0, 1, 1, 2]);
  const [b, c] = [at.get("b")!, at.get("c")!].sort((x, y) => x.x - y.x);
  assert.ok(c.x - b.x >= 80, "nodes of a layer do not overlap");
  assert.equal(dag.edges.length, 5);
  const long = dag.edges.find((e) => e.from === "a" && e.to === "d")!;
  assert.equal(long.points.length, 4, "a long edge passes its middle layer straight down");
  assert.ok(long.points.every((p, i) => i === 0 || p.y >= long.points[i - 1].y));
  assert.throws(() =>
    layoutDag([{ id: "x", width: 1, inputs: ["y"] }, { id: "y", width: 1, inputs: ["x"] }])
  );

  assert.equal(pct(0.6231829), "62.3\u00a0%");
  const entry = {
    nsc_per_compound: 0.52,
    nsc_per_treatment: 0.5,
    n_seeds: 3,
    sd: { nsc_per_compound: 0.034 },
  };
  assert.equal(pctSd(entry, "nsc_per_compound"), "52.0\u00a0% ± 3.4");
  assert.equal(pctSd({ ...entry, n_seeds: 1 }, "nsc_per_compound"), "52.0\u00a0%");
  assert.equal(pctSd({ nsc_per_compound: 0.52, nsc_per_treatment: 0.5 }, "nsc_per_compound"), "52.0\u00a0%");
  assert.equal(pctSd(null, "nsc_per_compound"), "–");
  assert.equal(protocolLabel("cells-mean"), "cells-mean (the authors')");
  assert.equal(
    protocolLabel("cells-zscore/batch"),
    "cells z-scored against each batch's DMSO cells, then the mean per treatment",
  );
  assert.equal(
    protocolLabel("cells-whiten/global"),
    "cells whitened against all DMSO cells, then the mean per treatment",
  );
  assert.equal(
    protocolLabel("wells-median/robustize+whiten+select"),
    "wells' means, robust z-score per plate, then whitened against DMSO wells, feature selection, then the median per treatment",
  );
  assert.equal(
    protocolLabel("sym8:cells-zscore/batch"),
    "cells z-scored against each batch's DMSO cells, then the mean per treatment, on features averaged over " +
      "each cell's 8 flips and quarter turns",
  );
  assert.equal(
    protocolLabel("sym8:cells-mean"),
    "cells-mean, on features averaged over each cell's 8 flips and quarter turns",
  );
  assert.equal(protocolLabel("something-new"), "something-new");
  assert.equal(pct(0.51, 0), "51\u00a0%");
  assert.equal(pct(null), "–");
  assert.equal(duration(428_712), "7\u00a0min 09\u00a0s");
  assert.equal(rel("quick/figures/", "quick/moa/"), "../../quick/moa/");
  assert.equal(rel("", ""), "./");
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.equal(normalizeBase("x/y"), "/x/y/");
  assert.equal(normalizeBase(undefined), "/");
  const opts = parseArgs(["--profile", "quick", "--profile=tiny", "--out", "o", "--base", "/b/"]);
  assert.deepEqual([opts.profiles, opts.out, opts.base, opts.results], [
    ["quick", "tiny"],
    "o",
    "/b/",
    "results",
  ]);
  assert.throws(() => parseArgs(["--nope"]), /Unknown argument/);
});
