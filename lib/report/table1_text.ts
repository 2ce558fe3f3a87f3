/**
 * Table 1 as plain text for the terminal (`deno task reproduce` ends with it, `deno task results` prints it
 * again): each method's NSC per compound beside the paper's, under the authors' protocol and our best, with
 * NSCB and the untrained control, `mean ± sd` where there are seeds. It reads `evaluate/table1.json`
 * (docs/results.md) as written, old files included.
 * @module
 */

/** The scores of one protocol in table1.json. */
interface Scores {
  protocol: string;
  n_seeds?: number;
  sd?: Record<string, number>;
  nsc_per_compound: number;
  nscb_per_compound?: number | null;
}

/** One row of table1.json. */
export interface Table1Row {
  method: string;
  set: string | null;
  ours: Scores | null;
  best: Scores | null;
  control?: Scores | null;
  paper: { nsc: number; draft?: number | null; source: string } | null;
}

/** Whether a row's "paper" number comes from elsewhere than the paper (its source says so). */
function notInPaper(r: Table1Row): boolean {
  return r.paper !== null && /not the paper/.test(r.paper.source);
}

/** A fraction as a percentage with the seeds' sd: `53.4 ± 0.9 %`, `27.0 %`, or `–`. */
export function percent(s: Scores | null | undefined, key: "nsc_per_compound" | "nscb_per_compound"): string {
  const v = s?.[key];
  if (typeof v !== "number" || !Number.isFinite(v)) return "–";
  const sd = s?.sd?.[key];
  const several = (s?.n_seeds ?? 1) > 1 && typeof sd === "number" && Number.isFinite(sd);
  return `${(100 * v).toFixed(1)}${several ? ` ± ${(100 * sd!).toFixed(1)}` : ""} %`;
}

/** Lays out rows of cells as columns, two spaces apart, the header underlined. */
export function columns(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => [...r[j]].length)));
  const line = (r: readonly string[]) =>
    r.map((c, j) => (j === r.length - 1 ? c : c + " ".repeat(widths[j] - [...c].length))).join("  ")
      .trimEnd();
  return [line(rows[0]), widths.map((w) => "─".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

/**
 * Table 1 in text: a header naming the profile, then one line per method (ours and the paper's; the
 * paper's other methods with the paper's number alone), then the protocols used.
 */
export function table1Text(table: { rows: readonly Table1Row[] }, profile: string): string {
  const rows = table.rows;
  const anySeeds = rows.some((r) => (r.best?.n_seeds ?? 1) > 1);
  const head = [
    "method",
    "paper",
    "ours, authors' protocol",
    "ours, best protocol",
    "NSCB (best)",
    "untrained D",
  ];
  const body = rows.map((r) => [
    r.method,
    r.paper ? `${Math.round(100 * r.paper.nsc)} %${notInPaper(r) ? "*" : ""}` : "–",
    percent(r.ours, "nsc_per_compound"),
    r.best ? `${percent(r.best, "nsc_per_compound")} (${r.best.protocol})` : "–",
    percent(r.best, "nscb_per_compound"),
    percent(r.control, "nsc_per_compound"),
  ]);
  const seeds = Math.max(...rows.map((r) => r.best?.n_seeds ?? 1));
  const notes = rows.filter(notInPaper).map((r) => `* ${r.method}: ${r.paper!.source}.`);
  return [
    `Table 1 (${profile}): MOA accuracy by 1-NN, NSC per compound — ours beside Goldsborough et al. 2017`,
    columns([head, ...body]),
    `Authors' protocol: each treatment the mean of its cells (cells-mean). Best: the best of every protocol evaluated` +
    ` (evaluate/evaluation.json).${anySeeds ? ` ± sd over ${seeds} training seeds.` : ""}`,
    ...notes,
  ].join("\n");
}
