import assert from "node:assert/strict";
import {
  batchOfPlate,
  isTaxolPlateControl,
  moaFromTable,
  readBbbc021Metadata,
  wellsFromImageTable,
} from "./bbbc021_metadata.ts";
import { parseCsv } from "./csv.ts";
import { hasSharedData, SHARED_DATA } from "./test_util.ts";
import { treatmentKey } from "./types.ts";

const IMAGE =
  `Image_PathName_DAPI,Image_Metadata_Plate_DAPI,Image_Metadata_Well_DAPI,Image_Metadata_Compound,Image_Metadata_Concentration
Week4/Week4_27481,Week4_27481,G10,taxol,0.3
Week4/Week4_27481,Week4_27481,G10,taxol,0.3
Week4/Week4_27481,Week4_27481,B02,DMSO,0.0
`;

Deno.test("wellsFromImageTable: one annotation per well, batch from the week folder", () => {
  const w = wellsFromImageTable(parseCsv(IMAGE));
  assert.equal(w.size, 2);
  assert.deepEqual(w.get("Week4_27481/G10"), {
    plate: "Week4_27481",
    well: "G10",
    batch: "Week4",
    compound: "taxol",
    concentration: 0.3,
  });
  assert.equal(batchOfPlate("Week10_40111"), "Week10");
  assert.equal(isTaxolPlateControl(w.get("Week4_27481/G10")!), false); // taxol 0.3 but not a control well
  assert.equal(isTaxolPlateControl({ well: "E02", compound: "taxol", concentration: 0.3 }), true);
  assert.equal(isTaxolPlateControl({ well: "E02", compound: "taxol", concentration: 1 }), false);
});

Deno.test("wellsFromImageTable rejects conflicting fields of one well and bad numbers", () => {
  const bad = IMAGE + "Week4/Week4_27481,Week4_27481,G10,taxol,1.0\n";
  assert.throws(
    () => wellsFromImageTable(parseCsv(bad), "img.csv"),
    /img\.csv: line 5: well Week4_27481\/G10 is taxol 1/,
  );
  const nan = IMAGE + "Week4/Week4_27481,Week4_27481,G11,taxol,abc\n";
  assert.throws(
    () => wellsFromImageTable(parseCsv(nan), "img.csv"),
    /img\.csv: line 5: expected a number in column Image_Metadata_Concentration, got "abc"/,
  );
});

Deno.test("moaFromTable keys treatments by canonical concentration", () => {
  const m = moaFromTable(
    parseCsv('"compound",concentration,"moa"\n"taxol",0.300000,"Microtubule stabilizers"\n'),
  );
  assert.equal(m.get(treatmentKey("taxol", 0.3)), "Microtubule stabilizers");
  assert.throws(
    () => moaFromTable(parseCsv("compound,concentration,moa\nx,1,A\nx,1.0,B\n"), "moa.csv"),
    /moa\.csv: line 3: x@1 has MOA "B" but "A"/,
  );
});

Deno.test({
  name: "real BBBC021 metadata: 55 plates, 10 batches, 3,300 wells; 103 treatments + DMSO with MOA",
  ignore: !hasSharedData("real BBBC021 metadata test"),
  fn() {
    const md = readBbbc021Metadata(
      `${SHARED_DATA}/bbbc021/metadata/BBBC021_v1_image.csv`,
      `${SHARED_DATA}/bbbc021/metadata/BBBC021_v1_moa.csv`,
    );
    const wells = [...md.wells.values()];
    assert.equal(wells.length, 3300);
    assert.equal(new Set(wells.map((w) => w.plate)).size, 55);
    assert.equal(new Set(wells.map((w) => w.batch)).size, 10);
    assert.equal(md.moa.size, 104);
    assert.equal(new Set([...md.moa.values()].filter((m) => m !== "DMSO")).size, 12);
    for (const w of wells) assert.equal(w.batch, batchOfPlate(w.plate));
    // MOA-annotated wells without the per-plate taxol controls: the 632 wells of the usual MOA subset.
    const annotated = wells.filter((w) => md.moa.has(treatmentKey(w.compound, w.concentration)));
    assert.equal(annotated.filter(isTaxolPlateControl).length, 330);
    assert.equal(annotated.filter((w) => !isTaxolPlateControl(w)).length, 632);
    assert.equal(annotated.filter((w) => w.compound === "DMSO").length, 330);
  },
});
