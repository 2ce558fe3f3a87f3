/**
 * Typed task parameters: each parameter has a default, a kind, optional bounds and a doc line. A task's params
 * are resolved by applying overrides (from a profile or `--param task.key=value`) over the defaults; unknown
 * keys and values of the wrong kind are errors that name the task and the key.
 *
 * ```ts
 * const params = { steps: p.int(300, { min: 1, doc: "generator steps" }), loss: p.oneOf(["dcgan", "lsgan"], "dcgan") };
 * type Params = ParamValues<typeof params>; // { steps: number; loss: "dcgan" | "lsgan" }
 * ```
 * @module
 */

/** A JSON-representable parameter value. */
export type ParamValue = string | number | boolean | null | ParamValue[];

/** The declaration of one parameter. */
export interface ParamSpec<T extends ParamValue = ParamValue> {
  /** Kind, for messages and docs: `int`, `number`, `string`, `bool`, `enum`, `list`. */
  readonly kind: string;
  /** Value used when no override is given. */
  readonly default: T;
  /** One line of documentation. */
  readonly doc?: string;
  /** Checks (and normalises) a value, throwing a message that says what was expected and what came. */
  check(value: unknown): T;
  /** Parses the text form used on the command line (`--param task.key=TEXT`). */
  parse(text: string): T;
}

/** A task's parameter declarations. */
export type ParamSpecs = Record<string, ParamSpec>;

/** The resolved values of a set of parameter declarations. */
export type ParamValues<S extends ParamSpecs> = { readonly [K in keyof S]: S[K]["default"] };

interface Bounds {
  min?: number;
  max?: number;
  doc?: string;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `a list (${JSON.stringify(value)})`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

function numeric(kind: "int" | "number", def: number, opts: Bounds): ParamSpec<number> {
  const check = (value: unknown): number => {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new TypeError(
        `expected ${kind === "int" ? "an integer" : "a finite number"}, got ${describe(value)}`,
      );
    }
    if (kind === "int" && !Number.isInteger(value)) throw new TypeError(`expected an integer, got ${value}`);
    if (opts.min !== undefined && value < opts.min) {
      throw new RangeError(`expected ≥ ${opts.min}, got ${value}`);
    }
    if (opts.max !== undefined && value > opts.max) {
      throw new RangeError(`expected ≤ ${opts.max}, got ${value}`);
    }
    return value;
  };
  return {
    kind,
    default: check(def),
    doc: opts.doc,
    check,
    parse: (text) => {
      const t = text.trim();
      if (t === "" || Number.isNaN(Number(t))) {
        throw new TypeError(`expected a number, got ${JSON.stringify(text)}`);
      }
      return check(Number(t));
    },
  };
}

function list<T extends ParamValue>(
  what: string,
  is: (v: unknown) => v is T,
  fromText: (s: string) => unknown,
  def: T[],
  opts: { doc?: string },
): ParamSpec<T[]> {
  const check = (value: unknown): T[] => {
    if (!Array.isArray(value) || !value.every(is)) {
      throw new TypeError(`expected a list of ${what}, got ${describe(value)}`);
    }
    return [...value];
  };
  return {
    kind: "list",
    default: check(def),
    doc: opts.doc,
    check,
    parse: (text) => check(text.trim() === "" ? [] : text.split(",").map((s) => fromText(s.trim()))),
  };
}

/** Parameter constructors. */
export const p = {
  /** An integer, optionally bounded. */
  int(def: number, opts: Bounds = {}): ParamSpec<number> {
    return numeric("int", def, opts);
  },
  /** A finite number, optionally bounded. */
  number(def: number, opts: Bounds = {}): ParamSpec<number> {
    return numeric("number", def, opts);
  },
  /** A boolean; on the command line `true`/`false`/`1`/`0`/`yes`/`no`. */
  bool(def: boolean, opts: { doc?: string } = {}): ParamSpec<boolean> {
    const check = (value: unknown): boolean => {
      if (typeof value !== "boolean") throw new TypeError(`expected true or false, got ${describe(value)}`);
      return value;
    };
    return {
      kind: "bool",
      default: def,
      doc: opts.doc,
      check,
      parse: (text) => {
        const t = text.trim().toLowerCase();
        if (["true", "1", "yes", "on"].includes(t)) return true;
        if (["false", "0", "no", "off"].includes(t)) return false;
        throw new TypeError(`expected true or false, got ${JSON.stringify(text)}`);
      },
    };
  },
  /** A string; `null` allowed as a default meaning "not set" when `nullable` is true. */
  string<N extends boolean = false>(
    def: N extends true ? string | null : string,
    opts: { doc?: string; nullable?: N } = {},
  ): ParamSpec<N extends true ? string | null : string> {
    type T = N extends true ? string | null : string;
    const check = (value: unknown): T => {
      if (value === null && opts.nullable) return null as T;
      if (typeof value !== "string") throw new TypeError(`expected a string, got ${describe(value)}`);
      return value as T;
    };
    return {
      kind: "string",
      default: check(def),
      doc: opts.doc,
      check,
      parse: (text) => (opts.nullable && text === "" ? null : text) as T,
    };
  },
  /** One of a fixed set of strings. */
  oneOf<const C extends readonly string[]>(
    choices: C,
    def: C[number],
    opts: { doc?: string } = {},
  ): ParamSpec<C[number]> {
    const check = (value: unknown): C[number] => {
      if (typeof value !== "string" || !choices.includes(value)) {
        throw new TypeError(`expected one of ${choices.join(", ")}, got ${describe(value)}`);
      }
      return value;
    };
    return { kind: `enum(${choices.join("|")})`, default: check(def), doc: opts.doc, check, parse: check };
  },
  /** A list of numbers; on the command line comma-separated. */
  numbers(def: number[], opts: { doc?: string } = {}): ParamSpec<number[]> {
    return list(
      "numbers",
      (v): v is number => typeof v === "number" && Number.isFinite(v),
      Number,
      def,
      opts,
    );
  },
  /** A list of strings; on the command line comma-separated. */
  strings(def: string[], opts: { doc?: string } = {}): ParamSpec<string[]> {
    return list("strings", (v): v is string => typeof v === "string", String, def, opts);
  },
};

/**
 * Resolves a task's params: defaults, then each override layer in order. Every key of every layer must be
 * declared, and every value must pass its check.
 *
 * @param task the task name, for messages.
 * @param specs the task's declarations.
 * @param layers override objects, e.g. `[profileParams, cliParams]`, each with a `source` label for messages.
 */
export function resolveParams(
  task: string,
  specs: ParamSpecs,
  layers: { source: string; values: Record<string, unknown> }[] = [],
): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [key, spec] of Object.entries(specs)) out[key] = spec.default;
  for (const { source, values } of layers) {
    for (const [key, value] of Object.entries(values)) {
      const spec = specs[key];
      if (!spec) {
        const known = Object.keys(specs);
        throw new Error(
          `Unknown param '${task}.${key}' (from ${source}): task '${task}' has ${
            known.length ? `params ${known.join(", ")}` : "no params"
          }`,
        );
      }
      try {
        out[key] = spec.check(value);
      } catch (e) {
        throw new Error(`Invalid param '${task}.${key}' (from ${source}): ${(e as Error).message}`);
      }
    }
  }
  return out;
}

/**
 * Parses `--param task.key=value` arguments into per-task override objects, checked against the tasks'
 * declarations.
 */
export function parseParamArgs(
  args: string[],
  specsOf: (task: string) => ParamSpecs | undefined,
  taskNames: string[],
): Record<string, Record<string, ParamValue>> {
  const out: Record<string, Record<string, ParamValue>> = {};
  for (const arg of args) {
    const m = /^([\w-]+)\.([\w-]+)=(.*)$/s.exec(arg);
    if (!m) throw new Error(`Cannot read --param '${arg}': expected task.key=value`);
    const [, task, key, text] = m;
    const specs = specsOf(task);
    if (!specs) {
      throw new Error(`Unknown task '${task}' in --param '${arg}': tasks are ${taskNames.join(", ")}`);
    }
    const spec = specs[key];
    if (!spec) {
      throw new Error(
        `Unknown param '${task}.${key}' in --param '${arg}': task '${task}' has ${
          Object.keys(specs).join(", ") || "no params"
        }`,
      );
    }
    try {
      (out[task] ??= {})[key] = spec.parse(text);
    } catch (e) {
      throw new Error(`Invalid --param '${arg}': ${(e as Error).message}`);
    }
  }
  return out;
}

/** A compact text form of a param value for messages: `300`, `"dcgan"`, `[1,2]`. */
export function formatParam(value: unknown): string {
  return value === undefined ? "(unset)" : typeof value === "string" ? value : JSON.stringify(value);
}
