/**
 * Command-line flags of the site's commands (`deno task site`, `deno task publish`): `--flag value` or
 * `--flag=value`, each flag with a `value()` that takes its value or says it needs one.
 * @module
 */

/** One flag of the command line. */
export interface Flag {
  /** The flag as written, without an `=value`: `--out`. */
  flag: string;
  /** The argument as written. */
  arg: string;
  /** Its value (inline after `=`, else the next argument); throws `--out needs a value` when none. */
  value(): string;
}

/** The flags of `args`, in order; a flag's `value()` consumes the next argument when it has no `=`. */
export function* flags(args: readonly string[]): Generator<Flag> {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf("=");
    const [flag, inline] = eq >= 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    yield {
      flag,
      arg,
      value() {
        const v = inline ?? args[++i];
        if (v === undefined || v === "") throw new Error(`${flag} needs a value`);
        return v;
      },
    };
  }
}
