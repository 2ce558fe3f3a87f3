import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { columnIndex, parseCsv, readCsv } from "./csv.ts";

Deno.test("parseCsv reads quoted fields, doubled quotes, CRLF and a missing final newline", () => {
  const t = parseCsv('"a",b,"c, d"\r\n1,"x ""y""",3\r\n\r\n4,5,"multi\nline"');
  assert.deepEqual(t.header, ["a", "b", "c, d"]);
  assert.deepEqual(t.rows, [["1", 'x "y"', "3"], ["4", "5", "multi\nline"]]);
});

Deno.test("parseCsv keeps empty fields", () => {
  const t = parseCsv("a,b,c\n,,\n1,,3\n");
  assert.deepEqual(t.rows, [["", "", ""], ["1", "", "3"]]);
});

Deno.test("parseCsv names the file and line of a ragged row", () => {
  assert.throws(() => parseCsv("a,b\n1,2\n3\n", "f.csv"), /f\.csv: line 3 has 1 fields, expected 2/);
  assert.throws(() => parseCsv("", "e.csv"), /e\.csv: expected a header line/);
  assert.throws(() => parseCsv('a\n"open', "q.csv"), /q\.csv: unterminated quoted field/);
});

Deno.test("readCsv gunzips .gz files and reports unreadable paths", () => {
  const dir = mkdtempSync(join(tmpdir(), "csv-"));
  const p = join(dir, "t.csv.gz");
  writeFileSync(p, gzipSync(new TextEncoder().encode("x,y\n1,2\n")));
  assert.deepEqual(readCsv(p), { header: ["x", "y"], rows: [["1", "2"]] });
  assert.throws(() => readCsv(join(dir, "missing.csv")), /cannot read CSV file .*missing\.csv/);
});

Deno.test("columnIndex takes the first present alternative and lists columns otherwise", () => {
  const t = parseCsv("Image_Metadata_Plate,Metadata_Well\np,w\n");
  assert.equal(columnIndex(t, ["Metadata_Plate", "Image_Metadata_Plate"], "f"), 0);
  assert.throws(
    () => columnIndex(t, ["Metadata_Site"], "f.csv"),
    /f\.csv: expected a column named "Metadata_Site", found columns Image_Metadata_Plate, Metadata_Well/,
  );
});
