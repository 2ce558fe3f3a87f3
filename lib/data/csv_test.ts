import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { findColumn, formatCsv, parseCsv, parseCsvGrid, parseCsvRows, readCsvText } from "./csv.ts";

Deno.test("parseCsv handles quotes, commas, doubled quotes, CRLF and BOM", () => {
  const text = '\ufeff"compound",concentration,"moa"\r\n"a, b",1.5,"say ""hi"""\r\n"multi\nline",2,x\r\n';
  const t = parseCsv(text, { file: "m.csv", required: ["compound", "moa"] });
  assert.deepEqual(t.header, ["compound", "concentration", "moa"]);
  assert.deepEqual(t.rows, [
    { compound: "a, b", concentration: "1.5", moa: 'say "hi"' },
    { compound: "multi\nline", concentration: "2", moa: "x" },
  ]);
  assert.deepEqual(t.lines, [2, 3]);
});

Deno.test("parseCsv names the file and the missing column", () => {
  assert.throws(
    () => parseCsv("a,b\n1,2\n", { file: "BBBC021_v1_moa.csv", required: ["a", "moa"] }),
    /Cannot read CSV 'BBBC021_v1_moa.csv': expected a column 'moa', found columns 'a', 'b'/,
  );
});

Deno.test("parseCsv rejects ragged rows, unclosed quotes and empty files", () => {
  assert.throws(
    () => parseCsv("a,b\n1,2\n3\n", { file: "r.csv" }),
    /'r.csv' line 3: expected 2 fields.*found 1/,
  );
  assert.throws(() => parseCsvRows('a,"b\n1,2\n', "q.csv"), /'q.csv'.*line 1 is never closed/);
  assert.throws(() => parseCsv("", { file: "e.csv" }), /'e.csv'.*empty file/);
  assert.throws(() => parseCsvRows('"a"b\n', "z.csv"), /after a closing quote, found 'b'/);
});

Deno.test("formatCsv round-trips through parseCsv", () => {
  const header = ["file", "compound", "n"];
  const rows = [["x.npy", 'we,ird "name"', 3], ["y.npy", "line\nbreak", 0.25]];
  const t = parseCsv(formatCsv(header, rows));
  assert.deepEqual(t.rows.map((r) => [r.file, r.compound, Number(r.n)]), rows);
  assert.throws(() => formatCsv(["a"], [["1", "2"]]), /expected 1 fields/);
});

Deno.test("parseCsvGrid keeps positional rows, empty fields and a missing final newline", () => {
  const t = parseCsvGrid('"a",b,"c, d"\r\n1,"x ""y""",3\r\n\r\n,,\n4,5,"multi\nline"');
  assert.deepEqual(t.header, ["a", "b", "c, d"]);
  assert.deepEqual(t.rows, [["1", 'x "y"', "3"], ["", "", ""], ["4", "5", "multi\nline"]]);
  assert.deepEqual(t.lines, [2, 4, 5]);
  assert.throws(() => parseCsvGrid("a,b\n1,2\n3\n", { file: "f.csv" }), /'f.csv' line 3: expected 2 fields/);
  const text = "x,y\nab,cd\n";
  assert.deepEqual(parseCsv(text).rows, parseCsvGrid(text).rows.map(([x, y]) => ({ x, y })));
});

Deno.test("findColumn takes the first present alternative and lists the columns otherwise", () => {
  const header = ["Image_Metadata_Plate", "Metadata_Well"];
  assert.equal(findColumn(header, ["Metadata_Plate", "Image_Metadata_Plate"]), 0);
  assert.throws(
    () => findColumn(header, ["Metadata_Site", "Site"], "f.csv"),
    /'f.csv': expected a column 'Metadata_Site' or 'Site', found columns 'Image_Metadata_Plate', 'Metadata_Well'$/,
  );
  const wide = Array.from({ length: 20 }, (_, i) => `f${i}`);
  assert.throws(() => findColumn(wide, ["x"], "w.csv"), /'f11', … \(20 in all\)$/);
});

Deno.test("readCsvText gunzips .gz files and names an unreadable file", () => {
  const dir = mkdtempSync(join(tmpdir(), "csv-"));
  writeFileSync(join(dir, "t.csv.gz"), gzipSync(new TextEncoder().encode("x,y\n1,2\n")));
  writeFileSync(join(dir, "t.csv"), "x,y\n1,2\n");
  assert.equal(readCsvText(join(dir, "t.csv.gz")), "x,y\n1,2\n");
  assert.equal(readCsvText(join(dir, "t.csv")), "x,y\n1,2\n");
  assert.throws(() => readCsvText(join(dir, "missing.csv")), /Cannot read CSV '.*missing\.csv'/);
  writeFileSync(join(dir, "bad.csv.gz"), "not gzip");
  assert.throws(() => readCsvText(join(dir, "bad.csv.gz")), /Cannot read CSV '.*bad\.csv\.gz'/);
});
