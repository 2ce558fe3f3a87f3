/**
 * Minimal RFC 4180 CSV reading and writing with error messages that name the file
 * and line. Used for the BBBC021 metadata files, crop-set indexes and
 * CellProfiler-style profile tables (optionally gzipped).
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

/** A parsed CSV table: the header and its rows as records keyed by column name. */
export interface CsvTable {
  /** Column names, in file order. */
  header: string[];
  /** One record per data row; every header column is present. */
  rows: Record<string, string>[];
  /** 1-based line number in the file of each row's start (for error messages). */
  lines: number[];
}

/** Options for {@linkcode parseCsv}. */
export interface ParseCsvOptions {
  /** The file name, used in error messages. */
  file?: string;
  /** Columns that must be present; a missing one is an error naming the file and the column. */
  required?: readonly string[];
}

/**
 * Splits CSV text into rows of fields. Handles quoted fields with commas,
 * doubled quotes and newlines, CRLF line ends and a UTF-8 byte-order mark.
 * Returns each row with the 1-based line on which it starts.
 */
export function parseCsvRows(text: string, file = "<csv>"): { fields: string[]; line: number }[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const out: { fields: string[]; line: number }[] = [];
  let row: string[] = [];
  let field = "";
  let line = 1;
  let rowLine = 1;
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = text[i];
        if (next !== undefined && next !== "," && next !== "\n" && next !== "\r") {
          throw new Error(
            `Cannot parse CSV '${file}' line ${line}: expected ',' or end of line after a closing quote, found '${next}'`,
          );
        }
        continue;
      }
      if (ch === "\n") line++;
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
      i++;
      continue;
    }
    if (ch === ",") {
      row.push(field);
      field = "";
      fieldStarted = false;
      i++;
      continue;
    }
    if (ch === "\r" || ch === "\n") {
      row.push(field);
      if (!(row.length === 1 && row[0] === "")) out.push({ fields: row, line: rowLine });
      row = [];
      field = "";
      fieldStarted = false;
      if (ch === "\r" && text[i + 1] === "\n") i++;
      i++;
      line++;
      rowLine = line;
      continue;
    }
    // An unquoted run up to the next comma, quote or line end, copied at once.
    let j = i + 1;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 44 || c === 34 || c === 10 || c === 13) break;
      j++;
    }
    field += j === i + 1 ? ch : text.slice(i, j);
    fieldStarted = true;
    i = j;
  }
  if (quoted) {
    throw new Error(`Cannot parse CSV '${file}': a quoted field opened on line ${rowLine} is never closed`);
  }
  if (fieldStarted || row.length > 0) {
    row.push(field);
    out.push({ fields: row, line: rowLine });
  }
  return out;
}

/** A parsed CSV table with positional rows (see {@linkcode parseCsvGrid}). */
export interface CsvGrid {
  /** Column names, in file order (trimmed). */
  header: string[];
  /** One array of `header.length` fields per data row. */
  rows: string[][];
  /** 1-based line number in the file of each row's start (for error messages). */
  lines: number[];
}

/**
 * Parses CSV text with a header row into positional rows: the form for wide
 * tables (hundreds of feature columns) read column by column.
 *
 * @throws Error naming the file when a required column is missing, when a row has
 * a different number of fields than the header, or when the file has no header.
 */
export function parseCsvGrid(text: string, options: ParseCsvOptions = {}): CsvGrid {
  const file = options.file ?? "<csv>";
  const raw = parseCsvRows(text, file);
  if (raw.length === 0) {
    throw new Error(`Cannot read CSV '${file}': expected a header row, found an empty file`);
  }
  const header = raw[0].fields.map((h) => h.trim());
  for (const col of options.required ?? []) findColumn(header, [col], file);
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let r = 1; r < raw.length; r++) {
    const { fields, line } = raw[r];
    if (fields.length !== header.length) {
      throw new Error(
        `Cannot read CSV '${file}' line ${line}: expected ${header.length} fields as in the header, found ${fields.length}`,
      );
    }
    rows.push(fields);
    lines.push(line);
  }
  return { header, rows, lines };
}

/**
 * Parses CSV text with a header row into records.
 *
 * @throws Error naming the file when a required column is missing, when a row has
 * a different number of fields than the header, or when the file has no header.
 *
 * @example
 * ```ts
 * const t = parseCsv("a,b\n1,2\n", { file: "x.csv", required: ["a"] });
 * t.rows[0].b; // "2"
 * ```
 */
export function parseCsv(text: string, options: ParseCsvOptions = {}): CsvTable {
  const { header, rows: grid, lines } = parseCsvGrid(text, options);
  const rows = grid.map((fields) => {
    const rec: Record<string, string> = {};
    for (let c = 0; c < header.length; c++) rec[header[c]] = fields[c];
    return rec;
  });
  return { header, rows, lines };
}

/**
 * The index of the first of `names` present in `header` (alternative spellings
 * of one column, in order of preference).
 *
 * @throws Error naming the file, the names and the columns found when none is present.
 */
export function findColumn(header: readonly string[], names: readonly string[], file = "<csv>"): number {
  for (const name of names) {
    const i = header.indexOf(name);
    if (i >= 0) return i;
  }
  const shown = header.slice(0, 12).map((h) => `'${h}'`).join(", ");
  throw new Error(
    `Cannot read CSV '${file}': expected a column ${
      names.map((s) => `'${s}'`).join(" or ")
    }, found columns ${shown}${header.length > 12 ? `, … (${header.length} in all)` : ""}`,
  );
}

/**
 * Reads the text of a CSV file; a file whose name ends in `.gz` is gunzipped.
 *
 * @throws Error naming the file when it cannot be read or decompressed.
 */
export function readCsvText(path: string): string {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
    if (path.endsWith(".gz")) bytes = gunzipSync(bytes);
  } catch (e) {
    throw new Error(`Cannot read CSV '${path}': ${(e as Error).message}`);
  }
  return new TextDecoder().decode(bytes);
}

/** Quotes a CSV field when it contains a comma, quote, or line break. */
export function csvField(value: string | number | null | undefined): string {
  const s = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Formats a header and rows as CSV text with `\n` line ends and a final newline. */
export function formatCsv(
  header: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
): string {
  const lines = [header.map(csvField).join(",")];
  for (const r of rows) {
    if (r.length !== header.length) {
      throw new Error(
        `formatCsv: expected ${header.length} fields per row as in the header, got ${r.length}`,
      );
    }
    lines.push(r.map(csvField).join(","));
  }
  return lines.join("\n") + "\n";
}
