import assert from "node:assert/strict";
import { aggregate } from "./aggregate.ts";
import { NotApplicableError } from "./not_applicable.ts";
import { runProfilePipeline } from "./pipeline.ts";
import { tryProtocol } from "./protocol.ts";
import { syntheticCells } from "./synthetic.ts";

Deno.test("tryProtocol: a result, or the reason a step cannot apply; other errors propagate", () => {
  assert.deepEqual(tryProtocol(() => 42), { result: 42 });
  assert.deepEqual(
    tryProtocol(() => {
      throw new NotApplicableError("whiten: expected at least 2 control rows, found 1");
    }),
    { notApplicable: "whiten: expected at least 2 control rows, found 1" },
  );
  assert.throws(() =>
    tryProtocol(() => {
      throw new RangeError("a defect");
    }), /a defect/);
});

Deno.test("tryProtocol on the pipeline: one DMSO well a plate makes robustize+select not applicable, says why", () => {
  const wells = aggregate(syntheticCells({ cells: 3000, features: 12, controlWells: 1, seed: 4 }), {
    by: "well",
  });
  const run = (normalize: "robustize" | "whiten", select: boolean) =>
    tryProtocol(() => runProfilePipeline(wells, { normalize, select, evaluate: { nullSize: 100 } }).report);
  const na = run("robustize", true);
  assert.equal(na.notApplicable !== undefined, true);
  // The reason names the step, what every operation excluded, and the upstream cause.
  assert.match(
    na.notApplicable!,
    /^featureSelect: every one of the 12 features was excluded \(.*drop_outliers 12; expected at least one to remain\); after: .*madRobustize: \d+ \(plate, feature\) pair\(s\) have a control MAD of 0/,
  );
  for (const [normalize, select] of [["robustize", false], ["whiten", true]] as const) {
    const ok = run(normalize, select);
    assert.equal(ok.notApplicable, undefined, `${normalize} ${select}`);
    assert.equal(ok.notApplicable === undefined && ok.result.nsc.n > 0, true);
  }
});
