import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { IMAGE_COLUMNS } from "../lib/data/bbbc021.ts";
import { formatCsv } from "../lib/data/csv.ts";
import { aggregate } from "../lib/profiling/aggregate.ts";
import { runProfilePipeline } from "../lib/profiling/pipeline.ts";
import { syntheticCells } from "../lib/profiling/synthetic.ts";
import { hasSharedData, SHARED_DATA } from "../lib/profiling/test_util.ts";
import { evaluateProfilesFile, parseEvaluateArgs } from "./evaluate_profiles.ts";

const REAL = hasSharedData("real-profile evaluation test");
const S = `${SHARED_DATA}/bbbc021`;
const realArgs = (extra: string[]) =>
  parseEvaluateArgs([
    "--profiles",
    `${S}/profiles/BBBC021_feature_selected_mad_robustize.csv`,
    "--image-csv",
    `${S}/metadata/BBBC021_v1_image.csv`,
    "--moa-csv",
    `${S}/metadata/BBBC021_v1_moa.csv`,
    "--json",
    join(mkdtempSync(join(tmpdir(), "evalprof-")), "out.json"),
    ...extra,
  ]);

Deno.test({
  name: "real BBBC021 profiles, --normalize none --aggregate mean: NSC 0.913 over 103, NSCB 0.728 over 92",
  ignore: !REAL,
  fn() {
    const args = realArgs(["--normalize", "none", "--aggregate", "mean"]);
    const out = evaluateProfilesFile(args);
    assert.equal(out.nsc.n, 103);
    assert.equal(out.nsc.per_treatment, 94 / 103); // 0.913
    assert.equal(out.nscb.n, 92);
    assert.equal(out.nscb.per_treatment, 67 / 92); // 0.728
    assert.equal(out.nsc.n_compounds, 38);
    assert.deepEqual(out.nscb.dropped.moas, ["Cholesterol-lowering", "Kinase inhibitors"]);
    assert.equal(out.features.used, 189);
    assert.deepEqual(out.warnings, []);
    assert.ok(out.map.map > 0.7 && out.map.map < 0.85, `mAP ${out.map.map}`);
    const written = JSON.parse(readFileSync(args.json!, "utf8"));
    assert.deepEqual(Object.keys(written).slice(0, 3), ["nsc", "nscb", "map"]);
    assert.equal(written.nsc.per_treatment, 94 / 103);
    assert.equal(written.nscb.n, 92);
  },
});

Deno.test({
  name: "real BBBC021 profiles: whitening on DMSO keeps NSC and raises NSCB",
  ignore: !REAL,
  fn() {
    const out = evaluateProfilesFile(realArgs(["--normalize", "whiten", "--null-size", "200"]));
    assert.equal(out.nsc.n, 103);
    assert.ok(out.nsc.per_treatment >= 0.9, `NSC ${out.nsc.per_treatment}`);
    assert.ok(out.nscb.per_treatment > 67 / 92, `NSCB ${out.nscb.per_treatment}`);
  },
});

Deno.test("evaluate-profiles end to end on synthetic files (gzipped CSV, Image_Metadata_* columns)", () => {
  const dir = mkdtempSync(join(tmpdir(), "evalprof-"));
  const wells = aggregate(syntheticCells({ cells: 20000, features: 16, seed: 5 }), { by: "well" });
  // BBBC021_v1_image.csv: two sites per well, three channel files per site.
  const image: (string | number)[][] = [];
  const moa = new Map<string, string>();
  for (const r of wells.rows) {
    for (const site of [1, 2]) {
      const path = `${r.batch}/${r.plate}`;
      const files = [1, 2, 4].flatMap((w) => [`${r.well}_s${site}_w${w}.tif`, path]);
      image.push([...files, r.plate, r.well, 1, r.compound, r.concentration]);
    }
    moa.set(`"${r.compound}",${r.concentration},"${r.moa}"`, "");
  }
  const d = wells.features.length;
  const profiles = [`Image_Metadata_Plate,Image_Metadata_Well,Metadata_Site,${wells.features.join(",")}`];
  wells.rows.forEach((r, i) =>
    profiles.push(`${r.plate},${r.well},1,${[...wells.data.slice(i * d, (i + 1) * d)].join(",")}`)
  );
  writeFileSync(join(dir, "image.csv"), formatCsv(IMAGE_COLUMNS, image));
  writeFileSync(join(dir, "moa.csv"), `"compound",concentration,"moa"\n${[...moa.keys()].join("\n")}\n`);
  writeFileSync(join(dir, "p.csv.gz"), gzipSync(new TextEncoder().encode(profiles.join("\n") + "\n")));
  const args = parseEvaluateArgs([
    "--profiles",
    join(dir, "p.csv.gz"),
    "--image-csv",
    join(dir, "image.csv"),
    "--moa-csv",
    join(dir, "moa.csv"),
    "--normalize",
    "robustize",
    "--select",
    "--aggregate",
    "median",
    "--null-size",
    "100",
    "--json",
    join(dir, "out.json"),
  ]);
  const out = evaluateProfilesFile(args);
  assert.equal(out.nsc.n, 108);
  assert.ok(out.nsc.per_treatment > 0.6, `NSC ${out.nsc.per_treatment}`); // chance: 1/12
  // The CSV round trip and metadata join change nothing: same result as the library on the same wells.
  const direct = runProfilePipeline(wells, {
    normalize: "robustize",
    select: true,
    aggregate: "median",
    evaluate: { nullSize: 100 },
  });
  assert.deepEqual(out.nsc, direct.report.nsc);
  assert.deepEqual(out.map, direct.report.map);
  const written = JSON.parse(readFileSync(join(dir, "out.json"), "utf8"));
  assert.equal(written.settings.normalize, "robustize");
  assert.equal(written.settings.aggregate, "median");
  assert.equal(written.nsc.n, 108);
});

Deno.test("parseEvaluateArgs: defaults and clear errors", () => {
  const base = ["--profiles", "p.csv", "--image-csv", "i.csv", "--moa-csv", "m.csv", "--json", "o.json"];
  const a = parseEvaluateArgs(base);
  assert.equal(a.normalize, "none");
  assert.equal(a.aggregate, "mean");
  assert.equal(a.select, false);
  assert.equal(a.nullSize, 10000);
  assert.throws(() => parseEvaluateArgs(base.slice(2)), /missing --profiles/);
  assert.throws(
    () => parseEvaluateArgs([...base, "--normalize", "zca"]),
    /--normalize: expected one of none, robustize/,
  );
  assert.throws(
    () => parseEvaluateArgs([...base, "--aggregate", "max"]),
    /--aggregate: expected mean or median/,
  );
  assert.throws(
    () => parseEvaluateArgs([...base, "--null-size", "0"]),
    /--null-size: expected a positive integer/,
  );
  assert.throws(() => parseEvaluateArgs([...base, "--bogus"]), /bogus/);
});
