import assert from "node:assert/strict";
import { join } from "node:path";
import {
  applyShift,
  DMSO_PHENOTYPE,
  MOA_COMPOUNDS,
  MOA_SHIFTS,
  MOAS,
  PHENOTYPE_KEYS,
  phenotypeTable,
  treatmentEffect,
} from "./phenotypes.ts";
import { readBbbc021Metadata, treatmentKey } from "./bbbc021.ts";
import { haveSharedData, SHARED_DATA } from "./test_util.ts";

const haveMeta = haveSharedData("bbbc021/metadata", "embedded MOA table cross-check");

Deno.test("the embedded MOA table has 38 compounds, 103 compound-concentrations and 12 MOAs", () => {
  assert.equal(MOA_COMPOUNDS.length, 38);
  assert.equal(MOA_COMPOUNDS.reduce((s, c) => s + c.concentrations.length, 0), 103);
  assert.equal(new Set(MOA_COMPOUNDS.map((c) => c.moa)).size, 12);
  assert.deepEqual(Object.keys(MOA_SHIFTS).sort(), [...MOAS].sort());
  for (const shift of Object.values(MOA_SHIFTS)) {
    for (const k of Object.keys(shift)) assert.ok(PHENOTYPE_KEYS.includes(k as never), k);
  }
});

Deno.test({
  name: "the embedded MOA table equals the real BBBC021_v1_moa.csv",
  ignore: !haveMeta,
  fn: async () => {
    const meta = await readBbbc021Metadata(join(SHARED_DATA, "bbbc021/metadata"));
    const real = meta.treatments.filter((t) => t.moa !== "DMSO").map((t) =>
      `${treatmentKey(t.compound, t.concentration)}=${t.moa}`
    );
    const ours = MOA_COMPOUNDS.flatMap((c) =>
      c.concentrations.map((x) => `${treatmentKey(c.compound, x)}=${c.moa}`)
    );
    assert.deepEqual(ours.sort(), real.sort());
  },
});

Deno.test("treatmentEffect: deterministic, DMSO inert, dose-response increases with concentration", () => {
  assert.deepEqual(treatmentEffect(5, "taxol", 1), treatmentEffect(5, "taxol", 1));
  assert.notDeepEqual(treatmentEffect(5, "taxol", 1).shift, treatmentEffect(6, "taxol", 1).shift);
  const d = treatmentEffect(1, "DMSO", 0);
  assert.equal(d.strength, 0);
  assert.ok(PHENOTYPE_KEYS.every((k) => d.shift[k] === 0));
  for (const c of MOA_COMPOUNDS) {
    const e = c.concentrations.map((x) => treatmentEffect(1, c.compound, x));
    for (let i = 1; i < e.length; i++) {
      assert.ok(e[i].strength > e[i - 1].strength, `${c.compound} strength rises with dose`);
      assert.ok(e[i].nonResponders <= e[i - 1].nonResponders, `${c.compound} non-responders fall with dose`);
    }
    assert.ok(e.every((x) => x.strength >= 0.4 && x.strength <= 1));
  }
  // The MOA's main shift keeps its sign for every compound (compound variation scales, never flips).
  const giant = MOA_COMPOUNDS.filter((c) => c.moa === "Aurora kinase inhibitors").map((c) =>
    treatmentEffect(1, c.compound, 1)
  );
  assert.ok(giant.every((e) => e.shift.polyploid > 0.2 && e.shift.nucleusSize > 0.1));
  const weights = giant.map((e) => e.shift.polyploid);
  assert.ok(new Set(weights).size === 3, "compounds of one MOA differ");
  const p = applyShift(treatmentEffect(1, "nocodazole", 3).shift, 1);
  assert.ok(p.mitotic > DMSO_PHENOTYPE.mitotic + 0.3 && p.tubulinDiffuse > 0.4);
  assert.ok(p.mitotic <= 0.95 && p.tubulinDiffuse <= 1);
});

Deno.test("phenotypeTable: every MOA with its shift, looks and compounds; JSON round-trips", () => {
  const t = phenotypeTable();
  assert.equal(t.moas.length, 12);
  assert.equal(t.moas.reduce((a, m) => a + m.compounds.length, 0), MOA_COMPOUNDS.length);
  const eg5 = t.moas.find((m) => m.moa === "Eg5 inhibitors")!;
  assert.equal(eg5.shift.monopolar, 0.8);
  assert.match(eg5.looks, /rosette/);
  assert.ok(t.moas.every((m) => m.looks.length > 10 && Object.keys(m.shift).length > 0));
  assert.deepEqual(t.keys.map((k) => k.key), [...PHENOTYPE_KEYS]);
  assert.deepEqual(JSON.parse(JSON.stringify(t)), t);
});
