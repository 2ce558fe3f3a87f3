/**
 * A minimal RFC 4180 CSV reader (quoted fields, doubled quotes, CRLF), with
 * transparent gzip for `.gz` files. Enough for CellProfiler and BBBC021
 * metadata tables; no type inference.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

/** A parsed CSV: header and rows of strings. */
export interface CsvTable {
  /** Column names from the first line. */
  header: string[];
  /** Data rows; each has `header.length` fields. */
  rows: string[][];
}

/**
 * Parses CSV text. The first record is the header; every other record must
 * have as many fields, otherwise a `SyntaxError` names the line.
 *
 * @param text CSV text.
 * @param source Name used in error messages (e.g. the file path).
 */
export function parseCsv(text: string, source = "<csv>"): CsvTable {
  const records: string[][] = [];
  const lines: number[] = [];
  let field = "";
  let record: string[] = [];
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
  while (i < n) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        i++;
        continue;
      }
      if (c === "\n") line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field.length === 0) {
      inQuotes = true;
      i++;
    } else if (c === ",") {
      record.push(field);
      field = "";
      i++;
    } else if (c === "\n" || c === "\r") {
      record.push(field);
      field = "";
      if (!(record.length === 1 && record[0] === "")) {
        records.push(record);
        lines.push(recordLine);
      }
      record = [];
      if (c === "\r" && text[i + 1] === "\n") i++;
      i++;
      line++;
      recordLine = line;
    } else {
      // Fast path: copy an unquoted run.
      let j = i;
      while (j < n) {
        const cj = text.charCodeAt(j);
        if (cj === 44 || cj === 10 || cj === 13 || cj === 34) break;
        j++;
      }
      if (j === i) {
        field += c;
        j = i + 1;
      } else field += text.slice(i, j);
      i = j;
    }
  }
  if (inQuotes) throw new SyntaxError(`${source}: unterminated quoted field starting on line ${recordLine}`);
  if (field.length > 0 || record.length > 0) {
    record.push(field);
    records.push(record);
    lines.push(recordLine);
  }
  if (records.length === 0) throw new SyntaxError(`${source}: expected a header line, got an empty file`);
  const header = records[0];
  const rows = records.slice(1);
  for (let r = 0; r < rows.length; r++) {
    if (rows[r].length !== header.length) {
      throw new SyntaxError(
        `${source}: line ${lines[r + 1]} has ${
          rows[r].length
        } fields, expected ${header.length} (as in the header)`,
      );
    }
  }
  return { header, rows };
}

/**
 * Reads and parses a CSV file; `.gz` files are gunzipped first.
 *
 * @param path File path.
 */
export function readCsv(path: string): CsvTable {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read CSV file ${path}: ${(e as Error).message}`);
  }
  if (path.endsWith(".gz")) bytes = gunzipSync(bytes);
  return parseCsv(new TextDecoder().decode(bytes), path);
}

/**
 * Index of a column by name, or of the first of several alternative names.
 * Throws naming the file and the alternatives when none is present.
 *
 * @param table The parsed table.
 * @param names Acceptable column names, in order of preference.
 * @param source File name for the error message.
 */
export function columnIndex(table: CsvTable, names: string[], source: string): number {
  for (const name of names) {
    const i = table.header.indexOf(name);
    if (i >= 0) return i;
  }
  throw new Error(
    `${source}: expected a column named ${names.map((s) => `"${s}"`).join(" or ")}, found columns ${
      table.header.slice(0, 8).join(", ")
    }${table.header.length > 8 ? ", …" : ""}`,
  );
}
