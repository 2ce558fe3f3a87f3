import assert from "node:assert/strict";
import { join } from "node:path";
import { planSyntheticDataset, renderSyntheticField, resolveSyntheticOptions } from "../data/synthetic.ts";
import { readTiff } from "../data/tiff.ts";
import { segmentNuclei } from "./nuclei.ts";
import { matchObjects, splitComponents } from "./match.ts";
import { writeOverlayPng } from "./overlay.ts";
import { disks, EXAMPLE_HUMAN_DNA, haveExampleHuman } from "./test_util.ts";

Deno.test("segmentNuclei splits two touching disks and keeps separate ones", () => {
  const w = 120, h = 60;
  const m = disks(w, h, [[30, 30, 12], [51, 30, 12], [95, 30, 10]]);
  const img = Float32Array.from(m, (v) => 200 + v * 3000);
  const r = segmentNuclei(img, w, h, { diameter: 24 });
  assert.equal(r.count, 3);
  assert.notEqual(r.labels[30 * w + 28], r.labels[30 * w + 53]);
  assert.equal(segmentNuclei(img, w, h, { diameter: 24, split: false }).count, 2);
});

Deno.test("segmentNuclei on an empty image finds nothing", () => {
  const r = segmentNuclei(new Float32Array(64 * 64).fill(100), 64, 64);
  assert.equal(r.count, 0);
});

/** Pools object matches over fields: returns precision, recall, F1. */
function evaluate(preset: "tiny" | "default", nFields: number) {
  const plan = planSyntheticDataset(resolveSyntheticOptions({ seed: 11 }, preset));
  let tp = 0, pred = 0, truth = 0;
  for (const f of plan.fields.slice(0, nFields)) {
    const r = renderSyntheticField(plan, f);
    const nuc = segmentNuclei(r.channels[0], r.width, r.height);
    // A cell's several nuclei share one id in the masks: score each blob; blobs < 60 px (micronuclei) are ignored.
    const m = matchObjects(nuc.labels, splitComponents(r.nuclei, r.width, r.height), { minTruthArea: 60 });
    tp += m.truePositives;
    pred += m.predicted;
    truth += m.truth;
  }
  const precision = tp / pred, recall = tp / truth;
  return { precision, recall, f1: (2 * precision * recall) / (precision + recall), truth };
}

Deno.test("segmentNuclei: object F1 ≥ 0.9 at IoU 0.5 on synthetic ground truth (tiny preset, 16 fields of 256²)", () => {
  const e = evaluate("tiny", 16);
  console.log(
    `tiny: P ${e.precision.toFixed(3)} R ${e.recall.toFixed(3)} F1 ${e.f1.toFixed(3)} (${e.truth} nuclei)`,
  );
  assert.ok(e.f1 >= 0.9, `F1 ${e.f1}`);
});

Deno.test("segmentNuclei: object F1 ≥ 0.9 at IoU 0.5 on synthetic ground truth (8 fields of 512²)", () => {
  const e = evaluate("default", 8);
  console.log(
    `512²: P ${e.precision.toFixed(3)} R ${e.recall.toFixed(3)} F1 ${e.f1.toFixed(3)} (${e.truth} nuclei)`,
  );
  assert.ok(e.f1 >= 0.9, `F1 ${e.f1}`);
});

Deno.test({
  name: "segmentNuclei on the real example field (example-human d0): plausible count, overlay PNG",
  ignore: !haveExampleHuman("the real-field nucleus test"),
  fn: async () => {
    const img = await readTiff(EXAMPLE_HUMAN_DNA);
    // This field's nuclei are ~12–14 px across (not BBBC021's ~25).
    const r = segmentNuclei(img.data, img.width, img.height, { diameter: 14 });
    console.log(`example-human d0: ${r.count} nuclei (threshold ${r.threshold.toFixed(1)})`);
    assert.ok(r.count > 200 && r.count < 360, `count ${r.count}`);
    const dir = await Deno.makeTempDir({ prefix: "morphogan-overlay-" });
    try {
      const path = join(dir, "overlay.png");
      await writeOverlayPng(path, img.data, img.width, img.height, [{
        labels: r.labels,
        color: [255, 60, 60],
      }]);
      const bytes = await Deno.readFile(path);
      assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
