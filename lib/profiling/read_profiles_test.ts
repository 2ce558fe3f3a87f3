import assert from "node:assert/strict";
import type { Bbbc021Field, Bbbc021Metadata } from "../data/bbbc021.ts";
import { parseCsvGrid } from "../data/csv.ts";
import { annotateWellProfiles, isMetadataColumn } from "./read_profiles.ts";

const field = (well: string, site: number, compound: string, concentration: number, moa: string | null) =>
  ({
    plate: "P1",
    well,
    site,
    compound,
    concentration,
    moa,
    batch: "Week1",
    replicate: 1,
    files: ["d.tif", "t.tif", "a.tif"],
  }) satisfies Bbbc021Field;
const metadata: Bbbc021Metadata = {
  fields: [
    field("A01", 1, "DMSO", 0, "DMSO"),
    field("A01", 2, "DMSO", 0, "DMSO"),
    field("A02", 1, "taxol", 1, "Microtubule stabilizers"),
    field("A03", 1, "mystery", 2, null),
  ],
  treatments: [
    { compound: "taxol", concentration: 1, moa: "Microtubule stabilizers" },
    { compound: "DMSO", concentration: 0, moa: "DMSO" },
  ],
};

Deno.test("annotateWellProfiles: features are the numeric non-metadata columns; wells joined to metadata", () => {
  const csv = parseCsvGrid(
    "Image_Metadata_Plate,Image_Metadata_Well,Metadata_Note,f1,label,f2\n" +
      "P1,A01,n,1.5,a,NaN\nP1,A02,n,2,b,\nP1,A03,n,-3e2,c,4\nP9,Z99,n,0,d,0\n",
  );
  const r = annotateWellProfiles(csv, metadata, "w.csv");
  assert.deepEqual(r.table.features, ["f1", "f2"]);
  assert.equal(r.table.rows.length, 3);
  assert.deepEqual([...r.table.data.slice(0, 4)], [1.5, NaN, 2, NaN]);
  assert.equal(r.table.data[4], -300);
  assert.deepEqual(r.table.rows[1], {
    plate: "P1",
    well: "A02",
    batch: "Week1",
    compound: "taxol",
    concentration: 1,
    moa: "Microtubule stabilizers",
  });
  assert.equal(r.table.rows[2].moa, null);
  assert.deepEqual(r.withoutMoa, ["mystery@2"]);
  assert.equal(r.warnings.length, 2);
  assert.match(r.warnings[0], /w\.csv: ignored 1 non-numeric column\(s\) that are not Metadata_\*: label/);
  assert.match(r.warnings[1], /w\.csv: dropped 1 well\(s\) not found in the image metadata .*: P9\/Z99/);
});

Deno.test("annotateWellProfiles: clear errors for missing columns, no features, duplicate wells", () => {
  assert.throws(
    () => annotateWellProfiles(parseCsvGrid("Plate,Metadata_Well,f\nP1,A01,1\n"), metadata, "x.csv"),
    /'x\.csv': expected a column 'Metadata_Plate' or 'Image_Metadata_Plate'/,
  );
  assert.throws(
    () =>
      annotateWellProfiles(
        parseCsvGrid("Metadata_Plate,Metadata_Well,Metadata_x\nP1,A01,1\n"),
        metadata,
        "x.csv",
      ),
    /x\.csv: expected at least one numeric feature column/,
  );
  assert.throws(
    () =>
      annotateWellProfiles(
        parseCsvGrid("Metadata_Plate,Metadata_Well,f\nP1,A01,1\nP1,A01,2\n"),
        metadata,
        "x.csv",
      ),
    /x\.csv: line 3: well P1\/A01 appears twice/,
  );
  assert.ok(
    isMetadataColumn("Metadata_moa") && isMetadataColumn("Image_Metadata_Site") &&
      !isMetadataColumn("Cells_X"),
  );
});
