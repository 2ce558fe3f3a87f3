/**
 * Typed schemas of the results files the site reads (docs/results.md). Each schema checks only what the site
 * uses and lets other fields through, so the exporters can add fields without breaking the site; a file that
 * breaks one of them fails the build with an error naming the file and the field.
 * @module
 */
import { z } from "zod";

const num = z.number();
/** A number that JSON may have turned into null (NaN, ±Infinity). */
const numOrNull = z.number().nullable();

/** One task of `run.json`. */
export const RunTask = z.looseObject({
  name: z.string(),
  description: z.string().optional().default(""),
  key: z.string(),
  state: z.string(),
  durationMs: num,
  reasons: z.array(z.string()).optional(),
  computed: z.looseObject({
    started: z.string(),
    finished: z.string(),
    durationMs: num,
    /** What the task recorded about the attempt (timing, the device): not outputs. */
    facts: z.record(z.string(), z.unknown()).optional(),
  }).nullable()
    .optional(),
  params: z.record(z.string(), z.unknown()).optional().default({}),
  inputs: z.record(z.string(), z.string()).optional().default({}),
  inputKeys: z.record(z.string(), z.string()).optional(),
  codeDigest: z.string().optional(),
  codeFiles: z.array(z.string()).optional().default([]),
  npm: z.array(z.string()).optional(),
  outputDigest: z.string().optional(),
  files: num.optional(),
  bytes: num.optional(),
  published: z.string().nullable().optional().default(null),
});
/** One task of `run.json`. */
export type RunTask = z.infer<typeof RunTask>;

/** `run.json`: the DAG of a profile as it ran. */
export const RunJson = z.looseObject({
  profile: z.string(),
  description: z.string().optional().default(""),
  started: z.string(),
  finished: z.string(),
  durationMs: num,
  host: z.looseObject({
    hostname: z.string().optional(),
    os: z.string().optional(),
    arch: z.string().optional(),
    cpus: num.optional(),
  }).optional(),
  versions: z.record(z.string(), z.string()).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  tasks: z.array(RunTask),
});
/** `run.json`: the DAG of a profile as it ran. */
export type RunJson = z.infer<typeof RunJson>;

/** The headline metrics of one feature set under one protocol (fractions). */
export const Metrics = z.looseObject({
  protocol: z.string().optional(),
  nsc_per_compound: numOrNull,
  nsc_per_treatment: numOrNull,
  nsc_n: num.optional(),
  nscb_per_compound: numOrNull.optional(),
  nscb_per_treatment: numOrNull.optional(),
  nscb_n: num.optional(),
  map: numOrNull.optional(),
  map_fraction_retrieved: numOrNull.optional(),
  /** Training seeds the numbers are the mean over (absent in files written before replicate seeds: one). */
  n_seeds: num.optional(),
  /** Standard deviation over the seeds of each metric. */
  sd: z.record(z.string(), numOrNull).optional(),
});
/** The headline metrics of one feature set under one protocol (fractions). */
export type Metrics = z.infer<typeof Metrics>;

/** `evaluate/models.json`: the registry's models and feature sets (lib/models/registry.ts). */
export const ModelsJson = z.looseObject({
  models: z.array(z.looseObject({
    id: z.string(),
    label: z.string(),
    kind: z.string(),
    loss: z.string().optional(),
    objective: z.string().optional().default(""),
    train: z.string(),
  })),
  featureSets: z.array(z.looseObject({ id: z.string(), label: z.string(), short: z.string() })),
});
/** `evaluate/models.json`. */
export type ModelsJson = z.infer<typeof ModelsJson>;

/** `evaluate/table1.json`: Table 1 measured beside the paper. */
export const Table1Json = z.looseObject({
  metric: z.string().optional().default(""),
  /** Why NSC is not defined for this data (then `ours`/`best` are null), or null. */
  undefinedReason: z.string().nullable().optional().default(null),
  protocols: z.record(z.string(), z.string()).optional().default({}),
  rows: z.array(z.looseObject({
    method: z.string(),
    set: z.string().nullable(),
    ours: Metrics.extend({ protocol: z.string() }).nullable(),
    best: Metrics.extend({ protocol: z.string() }).nullable(),
    /** The untrained control under `best`'s protocol (GAN rows; absent in files before replicate seeds). */
    control: Metrics.extend({ protocol: z.string() }).nullable().optional().default(null),
    paper: z.looseObject({
      method: z.string().optional(),
      nsc: numOrNull,
      draft: numOrNull.optional(),
      source: z.string().optional(),
    }).nullable(),
  })),
});
/** `evaluate/table1.json`: Table 1 measured beside the paper. */
export type Table1Json = z.infer<typeof Table1Json>;

/** One treatment's nearest neighbour (report.nsc.neighbors / report.nscb.neighbors). */
export const Neighbor = z.looseObject({
  treatment: z.string(),
  compound: z.string(),
  concentration: num,
  moa: z.string(),
  batches: z.array(z.string()).optional(),
  neighbor: z.string().nullable(),
  predicted_moa: z.string().nullable(),
  similarity: numOrNull.optional(),
  correct: z.boolean(),
});
/** One treatment's nearest neighbour. */
export type Neighbor = z.infer<typeof Neighbor>;

const Rule = z.looseObject({
  per_treatment: numOrNull.optional(),
  per_compound: numOrNull.optional(),
  n: num.optional(),
  per_moa_recall: z.record(z.string(), numOrNull).optional(),
  neighbors: z.array(Neighbor),
});

/** One protocol of one feature set in `evaluation.json`: its summary and report. */
export const EvaluatedProtocol = z.looseObject({
  /** The mean over training seeds. */
  summary: Metrics,
  /** Standard deviation over seeds of each metric (absent in files written before replicate seeds). */
  sd: z.record(z.string(), numOrNull).optional(),
  /** Each seed's summary, in seed order (absent before replicate seeds). */
  seeds: z.array(Metrics.extend({ seed: num.nullable() })).optional(),
  /** The first seed's full report. */
  report: z.looseObject({ nsc: Rule, nscb: Rule.optional() }),
});
/** One protocol of one feature set in `evaluation.json`: its summary and report. */
export type EvaluatedProtocol = z.infer<typeof EvaluatedProtocol>;

/**
 * One protocol of one feature set in `evaluation.json`: its summary and report, or `not_applicable`, why the
 * data could not support it (e.g. feature selection excluded every feature).
 */
const ProtocolEntry = z.looseObject({
  summary: Metrics.optional(),
  sd: EvaluatedProtocol.shape.sd,
  seeds: EvaluatedProtocol.shape.seeds,
  report: EvaluatedProtocol.shape.report.optional(),
  not_applicable: z.string().optional(),
}).refine((e) => e.not_applicable !== undefined || (e.summary !== undefined && e.report !== undefined), {
  message: "expected summary and report, or not_applicable (the reason the protocol does not apply)",
});
/** One protocol of one feature set in `evaluation.json`. */
export type ProtocolEntry = z.infer<typeof ProtocolEntry>;

/** Whether a protocol entry was evaluated (has a summary and report) rather than not applicable. */
export function isEvaluated(e: ProtocolEntry): e is ProtocolEntry & EvaluatedProtocol {
  return e.not_applicable === undefined && e.summary !== undefined && e.report !== undefined;
}

/** `evaluate/evaluation.json`: feature set → protocol → summary and report, or why it is not applicable. */
export const EvaluationJson = z.record(
  z.string(),
  z.record(z.string(), ProtocolEntry),
);
/** `evaluate/evaluation.json`: feature set → protocol → summary and report, or why it is not applicable. */
export type EvaluationJson = z.infer<typeof EvaluationJson>;

/** One entry of `figures/figures.json`. */
export const FigureEntry = z.looseObject({
  name: z.string(),
  title: z.string(),
  caption: z.string().optional().default(""),
  files: z.looseObject({
    svg: z.string().optional(),
    png: z.string().optional(),
    json: z.string().optional(),
  }),
  width: num.optional(),
  height: num.optional(),
});
/** One entry of `figures/figures.json`. */
export type FigureEntry = z.infer<typeof FigureEntry>;

/** `figures/figures.json`: the figures in order. */
export const FiguresJson = z.array(FigureEntry);

/** A figure's numbers (`figures/<name>.json`). */
export const FigureData = z.looseObject({
  name: z.string().optional(),
  title: z.string().optional(),
  caption: z.string().optional(),
  data: z.unknown(),
});
/** A figure's numbers (`figures/<name>.json`). */
export type FigureData = z.infer<typeof FigureData>;

/** A score over training seeds (lib/figures/seed_stats.ts). */
const SeedScore = z.looseObject({
  mean: numOrNull,
  sd: numOrNull,
  n: num.optional(),
  values: z.array(numOrNull),
});

/**
 * The numbers of `figures/realism.json`: per feature space a row per scored set (in files written since
 * replicate seeds, one per training seed of each GAN, with `gan`, `seed` and `spread`); per GAN the mean ± sd
 * over its seeds; the goals checked per seed. Older files have the rows only.
 */
export const RealismData = z.looseObject({
  n: num.optional(),
  size: num.optional(),
  seeds: z.record(z.string(), z.array(num)).optional(),
  spaces: z.array(z.looseObject({
    space: z.string(),
    dims: num.optional(),
    rows: z.array(z.looseObject({
      generator: z.string(),
      gan: z.string().nullable().optional(),
      seed: num.nullable().optional(),
      fd: numOrNull,
      fdMean: numOrNull.optional(),
      fdCov: numOrNull.optional(),
      oneNn: numOrNull,
      oneNnReal: numOrNull.optional(),
      oneNnGenerated: numOrNull.optional(),
      spread: numOrNull.optional(),
    })),
  })),
  gans: z.array(z.looseObject({
    gan: z.string(),
    name: z.string(),
    seeds: z.array(num),
    spaces: z.array(z.looseObject({ space: z.string(), fd: SeedScore, oneNn: SeedScore, spread: SeedScore })),
  })).optional(),
  goals: z.array(z.looseObject({
    goal: z.string(),
    gan: z.string(),
    name: z.string(),
    space: z.string(),
    metric: z.string(),
    range: z.array(num),
    seeds: z.array(z.looseObject({ seed: num, value: numOrNull, met: z.boolean() })),
    met: num,
  })).optional(),
});
/** The numbers of `figures/realism.json`. */
export type RealismData = z.infer<typeof RealismData>;

/** `train_<loss>/train.json`: a training's settings and timing. */
export const TrainJson = z.looseObject({
  loss: z.string(),
  settings: z.record(z.string(), z.unknown()).optional().default({}),
  backend: z.looseObject({ name: z.string(), reason: z.string().optional(), detail: z.string().optional() })
    .optional(),
  cells: num.optional(),
  size: num.optional(),
  normalization: z.string().optional(),
  steps: num,
  stepsRun: num.optional(),
  resumedFrom: num.nullable().optional(),
  seconds: num.optional(),
  stepsPerSecond: num.optional(),
});
/** `train_<loss>/train.json`: a training's settings and timing. */
export type TrainJson = z.infer<typeof TrainJson>;

/** `train_<loss>/curves.json`: per step losses, column-wise (`gap` and `gp` empty or absent but for WGAN-GP). */
export const CurvesJson = z.looseObject({
  step: z.array(num),
  dLoss: z.array(numOrNull),
  gLoss: z.array(numOrNull),
  gap: z.array(numOrNull).optional(),
  gp: z.array(numOrNull).optional(),
}).superRefine((value, ctx) => {
  const n = value.step.length;
  for (const k of ["dLoss", "gLoss", "gap", "gp"] as const) {
    const a = value[k];
    if (a && a.length !== n && !(a.length === 0 && (k === "gap" || k === "gp"))) {
      ctx.addIssue({
        code: "custom",
        path: [k],
        message: `expected ${n} values (one per step), found ${a.length}`,
      });
    }
  }
});
/** `train_<loss>/curves.json`: per step losses, column-wise. */
export type CurvesJson = z.infer<typeof CurvesJson>;

/** `gallery/gallery.json`: the dataset in numbers and strips of example cells. */
export const GalleryJson = z.looseObject({
  source: z.string().optional().default(""),
  cropSize: num.optional(),
  channels: z.array(z.string()).optional().default([]),
  counts: z.record(z.string(), num),
  moas: z.array(z.looseObject({
    moa: z.string(),
    treatments: num.optional(),
    compounds: num.optional(),
    cells: num.optional(),
    image: z.string().nullable().optional(),
    n: num.optional(),
  })),
  treatments: z.array(z.looseObject({
    treatment: z.string(),
    compound: z.string(),
    concentration: num,
    moa: z.string().nullable(),
    batches: z.array(z.string()).optional().default([]),
    wells: num.optional(),
    cells: num.optional(),
    image: z.string().nullable().optional(),
    n: num.optional(),
  })),
  plates: z.array(z.looseObject({
    plate: z.string(),
    batch: z.string().optional(),
    wells: num.optional(),
    cells: num.optional(),
    /** Which cells set the plate's plate-percentile scaling (its own DMSO, its batch's DMSO, all its cells). */
    scaling: z.looseObject({ source: z.string(), cells: num }).nullable().optional(),
  })).optional().default([]),
  /** How the plates were scaled, in one line, or null. */
  scaling: z.string().nullable().optional(),
});
/** `gallery/gallery.json`. */
export type GalleryJson = z.infer<typeof GalleryJson>;

/** `synthesize/phenotypes.json`: the synthetic phenotype model. */
export const PhenotypesJson = z.looseObject({
  dmso: z.record(z.string(), num),
  dmsoLooks: z.string().optional(),
  keys: z.array(z.looseObject({ key: z.string(), scale: num.optional() })).optional(),
  moas: z.array(z.looseObject({
    moa: z.string(),
    shift: z.record(z.string(), num),
    looks: z.string().optional().default(""),
    compounds: z.array(z.looseObject({ compound: z.string(), concentrations: z.array(num) })).optional()
      .default([]),
  })),
  resembles: z.array(z.array(z.string())).optional().default([]),
});
/** `synthesize/phenotypes.json`. */
export type PhenotypesJson = z.infer<typeof PhenotypesJson>;

/** One feature set of `dose_response/dose_response.json`. */
export const DoseResponseSet = z.looseObject({
  unit: z.string(),
  control: z.string(),
  controlSites: num,
  features: num,
  controlSpread: numOrNull,
  compounds: z.array(z.looseObject({
    compound: z.string(),
    moa: z.string().nullable(),
    spearman: numOrNull,
    ordered: z.boolean().nullable(),
    doses: z.array(z.looseObject({
      treatment: z.string(),
      concentration: num,
      sites: num,
      cells: num,
      map: numOrNull,
      p: numOrNull,
      distance: numOrNull,
      note: z.string().optional(),
    })),
  })),
});
/** One feature set of `dose_response/dose_response.json`. */
export type DoseResponseSet = z.infer<typeof DoseResponseSet>;

/** `dose_response/dose_response.json`: each dose against DMSO, per feature set. */
export const DoseResponseJson = z.looseObject({ sets: z.record(z.string(), DoseResponseSet) });
/** `dose_response/dose_response.json`. */
export type DoseResponseJson = z.infer<typeof DoseResponseJson>;

/** A results file that is missing a field or has one of the wrong type. */
export class ResultsFileError extends Error {
  /** The file, as given to {@link parseResults}. */
  readonly file: string;
  constructor(file: string, message: string) {
    super(message);
    this.name = "ResultsFileError";
    this.file = file;
  }
}

/** Formats a zod issue path as `rows[2].ours.nsc_per_compound`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = "";
  for (const p of path) {
    if (typeof p === "number") s += `[${p}]`;
    else if (typeof p === "string" && /^[A-Za-z_$][\w$]*$/.test(p)) s += (s ? "." : "") + p;
    else s += `[${JSON.stringify(String(p))}]`;
  }
  return s || "(top level)";
}

/**
 * Validates `value` (parsed from `file`) against `schema`: the parsed value, or a {@link ResultsFileError}
 * naming the file, each offending field and what was expected (at most 5 issues listed).
 */
export function parseResults<T extends z.ZodType>(schema: T, value: unknown, file: string): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues;
  const lines = issues.slice(0, 5).map((i) => `  ${formatPath(i.path)}: ${i.message}`);
  if (issues.length > 5) lines.push(`  … and ${issues.length - 5} more`);
  return fail(file, `Malformed results file ${file}:\n${lines.join("\n")}`);
}

function fail(file: string, message: string): never {
  throw new ResultsFileError(file, message);
}
