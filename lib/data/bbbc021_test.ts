import assert from "node:assert/strict";
import { join } from "node:path";
import {
  bbbc021Wells,
  fieldPaths,
  IMAGE_COLUMNS,
  isTaxolPlateControl,
  parseBbbc021Metadata,
  parseMoaCsv,
  readBbbc021Metadata,
  summarizeBbbc021,
  treatmentKey,
  wellKey,
} from "./bbbc021.ts";
import { haveSharedData, SHARED_DATA } from "./test_util.ts";

const META = "bbbc021/metadata";
const haveMeta = haveSharedData(META, "BBBC021 metadata tests");

const HEADER = "TableNumber,ImageNumber," + IMAGE_COLUMNS.join(",");
const MOA =
  '"compound",concentration,"moa"\n"DMSO",0.000000,"DMSO"\n"taxol",0.300000,"Microtubule stabilizers"\n';
function row(
  file: string,
  plate: string,
  well: string,
  compound: string,
  conc: string,
  week = "Week1",
): string {
  const p = `${week}/${plate}`;
  return `1,1,${file}_w1.tif,${p},${file}_w2.tif,${p},${file}_w4.tif,${p},${plate},${well},1,${compound},${conc}`;
}

Deno.test("parseBbbc021Metadata builds fields with site, batch, MOA and channel files", () => {
  const image = [
    HEADER,
    row("B02_s1", "Week1_1", "B02", "DMSO", "0"),
    row("Week10_200907_C03_s3", "Week10_9", "C03", "taxol", "0.3", "Week10"),
    row("D04_s2", "Week1_1", "D04", '"5,6-x"', "1"),
  ].join("\n");
  const meta = parseBbbc021Metadata(image, MOA);
  assert.equal(meta.fields.length, 3);
  const [a, b, c] = meta.fields;
  assert.deepEqual(a, {
    plate: "Week1_1",
    well: "B02",
    site: 1,
    compound: "DMSO",
    concentration: 0,
    moa: "DMSO",
    batch: "Week1",
    replicate: 1,
    files: ["Week1/Week1_1/B02_s1_w1.tif", "Week1/Week1_1/B02_s1_w2.tif", "Week1/Week1_1/B02_s1_w4.tif"],
  });
  assert.equal(b.site, 3);
  assert.equal(b.batch, "Week10");
  assert.equal(b.moa, "Microtubule stabilizers");
  assert.equal(c.compound, "5,6-x");
  assert.equal(c.moa, null);
  assert.deepEqual(fieldPaths("/root", a)[2], "/root/Week1/Week1_1/B02_s1_w4.tif");
  assert.equal(treatmentKey("taxol", 0.3), treatmentKey("taxol", 0.30000000001));
});

Deno.test("parseBbbc021Metadata errors name the file, the column or the bad concentration", () => {
  const noCol = HEADER.replace(",Image_Metadata_Concentration", "") + "\n";
  assert.throws(
    () => parseBbbc021Metadata(noCol, MOA, { image: "/d/BBBC021_v1_image.csv" }),
    /'\/d\/BBBC021_v1_image.csv': expected a column 'Image_Metadata_Concentration'/,
  );
  assert.throws(
    () => parseBbbc021Metadata(HEADER + "\n", '"compound","moa"\n', { moa: "m.csv" }),
    /'m.csv': expected a column 'concentration'/,
  );
  const bad = [
    HEADER,
    row("B02_s1", "Week1_1", "B02", "DMSO", "0"),
    row("B03_s1", "Week1_1", "B03", "taxol", "0.3uM"),
  ]
    .join("\n");
  assert.throws(
    () => parseBbbc021Metadata(bad, MOA, { image: "img.csv" }),
    /'img.csv' line 3: expected a non-negative number as the concentration of 'taxol', found '0.3uM'/,
  );
  const noSite = [HEADER, row("B02", "Week1_1", "B02", "DMSO", "0")].join("\n");
  assert.throws(() => parseBbbc021Metadata(noSite, MOA), /expected a site '_sN_'/);
  const noWeek = [HEADER, row("B02_s1", "P1", "B02", "DMSO", "0", "Plates")].join("\n");
  assert.throws(
    () => parseBbbc021Metadata(noWeek, MOA),
    /expected the path name to start with a batch 'WeekN'/,
  );
  assert.throws(
    () =>
      parseBbbc021Metadata(HEADER + "\n", '"compound",concentration,"moa"\n"x",abc,"y"\n', { moa: "m.csv" }),
    /'m.csv' line 2: expected a non-negative number as the concentration of 'x', found 'abc'/,
  );
});

Deno.test("bbbc021Wells: one entry per well with its fields' treatment, batch and MOA", () => {
  const image = [
    HEADER,
    row("G10_s1", "Week4_27481", "G10", "taxol", "0.3", "Week4"),
    row("G10_s2", "Week4_27481", "G10", "taxol", "0.300000", "Week4"),
    row("B02_s1", "Week4_27481", "B02", "DMSO", "0.0", "Week4"),
  ].join("\n");
  const wells = bbbc021Wells(parseBbbc021Metadata(image, MOA).fields);
  assert.deepEqual([...wells.keys()], ["Week4_27481/G10", "Week4_27481/B02"]);
  assert.deepEqual(wells.get(wellKey("Week4_27481", "G10")), {
    plate: "Week4_27481",
    well: "G10",
    batch: "Week4",
    compound: "taxol",
    concentration: 0.3,
    moa: "Microtubule stabilizers",
  });
  assert.equal(wells.get("Week4_27481/B02")!.moa, "DMSO");
  const conflict = image + "\n" + row("G10_s3", "Week4_27481", "G10", "taxol", "1.0", "Week4");
  assert.throws(
    () => bbbc021Wells(parseBbbc021Metadata(conflict, MOA).fields),
    /well Week4_27481\/G10 to share a treatment and batch, found taxol 1 µM \(Week4\) at site 3/,
  );
  // The per-plate taxol 0.3 µM controls sit in fixed wells; G10 is not one of them.
  assert.equal(isTaxolPlateControl(wells.get("Week4_27481/G10")!), false);
  assert.equal(isTaxolPlateControl({ well: "E02", compound: "taxol", concentration: 0.3 }), true);
  assert.equal(isTaxolPlateControl({ well: "E02", compound: "taxol", concentration: 1 }), false);
});

Deno.test("parseMoaCsv keys treatments by canonical concentration and rejects two MOAs for one", () => {
  const t = parseMoaCsv('"compound",concentration,"moa"\n"taxol",0.300000,"Microtubule stabilizers"\n');
  assert.deepEqual(t, [{ compound: "taxol", concentration: 0.3, moa: "Microtubule stabilizers" }]);
  assert.equal(treatmentKey(t[0].compound, t[0].concentration), "taxol@0.3");
  assert.throws(
    () => parseMoaCsv("compound,concentration,moa\nx,1,A\nx,1.0,B\n", "moa.csv"),
    /'moa.csv' line 3: expected one MOA per compound-concentration, found 'B' for x@1 but 'A'/,
  );
  // The same MOA twice is a harmless repeat.
  assert.equal(parseMoaCsv("compound,concentration,moa\nx,1,A\nx,1.0,A\n").length, 2);
});

Deno.test("readBbbc021Metadata names a missing metadata file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () => readBbbc021Metadata(dir),
      /expected the file '.*BBBC021_v1_image.csv', found none/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "real BBBC021 metadata: 13,200 fields, 55 plates, 10 batches, 103 MOA treatments, 38 compounds, 12 MOAs",
  ignore: !haveMeta,
  fn: async () => {
    const meta = await readBbbc021Metadata(join(SHARED_DATA, META));
    const s = summarizeBbbc021(meta);
    assert.deepEqual(s, {
      fields: 13200,
      plates: 55,
      batches: 10,
      compounds: 113,
      moaTreatments: 103,
      moaCompounds: 38,
      moas: 12,
      moaFields: 3848,
      dmsoFields: 1320,
    });
    assert.equal(meta.treatments.length, 104);
    assert.equal(meta.fields.filter((f) => f.moa === "DMSO").length, 1320);
    assert.deepEqual([...new Set(meta.fields.map((f) => f.site))].sort(), [1, 2, 3, 4]);
    const f = meta.fields.find((x) => x.plate === "Week10_40111" && x.well === "B02" && x.site === 1)!;
    assert.equal(f.batch, "Week10");
    assert.match(f.files[1], /^Week10\/Week10_40111\/Week10_200907_B02_s1_w2.*\.tif$/);
  },
});

Deno.test({
  name: "real BBBC021 wells: 3,300 wells; without the per-plate taxol controls, the 632-well MOA subset",
  ignore: !haveMeta,
  fn: async () => {
    const wells = [...bbbc021Wells((await readBbbc021Metadata(join(SHARED_DATA, META))).fields).values()];
    assert.equal(wells.length, 3300);
    assert.equal(new Set(wells.map((w) => w.plate)).size, 55);
    assert.equal(new Set(wells.map((w) => w.batch)).size, 10);
    for (const w of wells) assert.equal(w.batch, w.plate.slice(0, w.plate.indexOf("_")));
    const annotated = wells.filter((w) => w.moa !== null);
    assert.equal(annotated.filter(isTaxolPlateControl).length, 330);
    assert.equal(annotated.filter((w) => !isTaxolPlateControl(w)).length, 632);
    assert.equal(annotated.filter((w) => w.compound === "DMSO").length, 330);
  },
});
