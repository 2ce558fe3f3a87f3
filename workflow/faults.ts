/**
 * Fault points, for fault-injection tests: `MORPHOGAN_FAULT="<point>:<n>[,<point>:<n>…]"` makes this process
 * kill itself with SIGKILL the n-th time it reaches `<point>`: the moment a real crash (power loss, the OOM
 * killer) would hurt most. Points: `commit` (a task's output is digested and its manifest written, not yet
 * renamed into the store), `replace` (between the two renames that replace a store object or a results
 * folder), `export` (a profile's results written beside their folder, not yet renamed in). Without the
 * variable, a point costs one lookup.
 * @module
 */

const counts = new Map<string, number>();
let spec: Map<string, number> | null | undefined;

function parse(): Map<string, number> | null {
  const v = Deno.env.get("MORPHOGAN_FAULT");
  if (!v) return null;
  const m = new Map<string, number>();
  for (const part of v.split(",")) {
    const [point, n] = part.split(":");
    if (!point || !/^\d+$/.test(n ?? "")) {
      throw new Error(`MORPHOGAN_FAULT: expected <point>:<n>[,…], got '${v}'`);
    }
    m.set(point, Number(n));
  }
  return m;
}

/** Reaches fault point `point`: SIGKILLs this process when MORPHOGAN_FAULT asks for this visit. */
export function faultPoint(point: string): void {
  if (spec === undefined) spec = parse();
  if (!spec) return;
  const n = (counts.get(point) ?? 0) + 1;
  counts.set(point, n);
  if (spec.get(point) === n) Deno.kill(Deno.pid, "SIGKILL");
}
