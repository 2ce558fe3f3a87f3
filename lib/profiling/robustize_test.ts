import assert from "node:assert/strict";
import { madRobustize } from "./robustize.ts";
import { assertClose, row, table } from "./test_util.ts";

const P1 = (compound: string) => row({ plate: "P1", compound });
const P2 = (compound: string) => row({ plate: "P2", compound });
const P3 = (compound: string) => row({ plate: "P3", compound });

Deno.test("madRobustize: (x − median_DMSO) / (1.4826 · MAD_DMSO + ε) per plate", () => {
  // P1 DMSO f: 1, 2, 3, 10 → median 2.5, |dev| 1.5 .5 .5 7.5 → MAD 1 → scale 1.4826
  // P2 DMSO f: 10, 20, 40 → median 20, |dev| 10 0 20 → MAD 10 → scale 14.826
  const t = table(["f"], [[1], [2], [3], [10], [5], [10], [20], [40], [50]], [
    P1("DMSO"),
    P1("DMSO"),
    P1("DMSO"),
    P1("DMSO"),
    P1("x"),
    P2("DMSO"),
    P2("DMSO"),
    P2("DMSO"),
    P2("x"),
  ]);
  const r = madRobustize(t);
  assert.deepEqual(r.warnings, []);
  assertClose(r.table.data[4], (5 - 2.5) / 1.4826, 1e-12, "P1 x");
  assertClose(r.table.data[0], (1 - 2.5) / 1.4826, 1e-12, "P1 DMSO");
  assertClose(r.table.data[8], (50 - 20) / 14.826, 1e-12, "P2 x");
  assert.equal(r.table.rows, t.rows);
});

Deno.test("madRobustize: zero MAD is scaled by 1/ε as pycytominer, with a warning", () => {
  // DMSO g: 0, 0, 4 → median 0, MAD 0 → (1 − 0) / (0 + 1e-18) = 1e18
  const t = table(["g"], [[0], [0], [4], [1]], [P1("DMSO"), P1("DMSO"), P1("DMSO"), P1("x")]);
  const r = madRobustize(t);
  assertClose(r.table.data[3], 1e18, 1e3, "blown-up value");
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0], /1 \(plate, feature\) pair\(s\) have a control MAD of 0/);
});

Deno.test("madRobustize: a plate without DMSO uses all plates' DMSO pooled, with a warning", () => {
  // pooled DMSO f: 1, 2, 3 (P1) and 7, 9 (P2) → median 3, |dev| 2 1 0 4 6 → MAD 2 → scale 2.9652
  const t = table(["f"], [[1], [2], [3], [7], [9], [6]], [
    P1("DMSO"),
    P1("DMSO"),
    P1("DMSO"),
    P2("DMSO"),
    P2("DMSO"),
    P3("x"),
  ]);
  const r = madRobustize(t);
  assertClose(r.table.data[5], (6 - 3) / 2.9652, 1e-12, "P3 x");
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0], /plate\(s\) P3 have no "DMSO" rows .* all plates pooled/);
});

Deno.test("madRobustize: no control at all is an error; Float32 stays Float32", () => {
  assert.throws(
    () => madRobustize(table(["f"], [[1], [2]], [P1("x"), P1("y")])),
    /expected control rows \(compound "DMSO"\) to normalise against, found none in 2 rows/,
  );
  const t = { features: ["f"], data: Float32Array.from([1, 3, 2]), rows: [P1("DMSO"), P1("DMSO"), P1("x")] };
  // median 2, MAD 1 → x: 0
  const r = madRobustize(t);
  assert.ok(r.table.data instanceof Float32Array);
  assert.equal(r.table.data[2], 0);
});
