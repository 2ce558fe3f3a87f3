import assert from "node:assert/strict";
import { formatCsv, parseCsv, parseCsvRows } from "./csv.ts";

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
