import assert from "node:assert/strict";
import { planSyntheticDataset, renderSyntheticField, resolveSyntheticOptions } from "../data/synthetic.ts";
import { segmentCells } from "./cells.ts";
import { segmentNuclei } from "./nuclei.ts";
import { matchObjects } from "./match.ts";
import { labelComponents } from "./labels.ts";
import { disks } from "./test_util.ts";

Deno.test("segmentCells: each cell holds its nucleus, is bounded by maxDistance, splits between two nuclei", () => {
  const w = 100, h = 50;
  const nucMask = disks(w, h, [[30, 25, 6], [70, 25, 6]]);
  const nuclei = labelComponents(nucMask, w, h);
  const cyto = Float32Array.from(disks(w, h, [[30, 25, 18], [70, 25, 18]]), (v) => 100 + 1000 * v);
  const cells = segmentCells(nuclei, cyto, { diameter: 12, maxDistance: 30 });
  assert.equal(cells.count, 2);
  for (let i = 0; i < w * h; i++) if (nuclei.labels[i]) assert.equal(cells.labels[i], nuclei.labels[i]);
  assert.equal(cells.labels[25 * w + 45], 1);
  assert.equal(cells.labels[25 * w + 55], 2);
  assert.equal(cells.labels[2 * w + 2], 0, "background stays background");
  const dil = segmentCells(nuclei, null, { method: "dilation", maxDistance: 5 });
  let area = 0;
  for (const v of dil.labels) if (v === 1) area++;
  assert.ok(area > Math.PI * 10 * 10 && area < Math.PI * 12 * 12, `dilated area ${area}`);
});

Deno.test("segmentCells on synthetic fields: cell F1 at IoU 0.5 ≥ 0.75", () => {
  const plan = planSyntheticDataset(resolveSyntheticOptions({ seed: 11 }, "tiny"));
  let tp = 0, pred = 0, truth = 0;
  for (const f of plan.fields.slice(0, 8)) {
    const r = renderSyntheticField(plan, f);
    const nuc = segmentNuclei(r.channels[0], r.width, r.height);
    const cyto = new Float32Array(r.width * r.height);
    for (let i = 0; i < cyto.length; i++) cyto[i] = r.channels[1][i] + r.channels[2][i];
    const m = matchObjects(segmentCells(nuc, cyto).labels, r.cells, { minTruthArea: 100 });
    tp += m.truePositives;
    pred += m.predicted;
    truth += m.truth;
  }
  const p = tp / pred, rc = tp / truth, f1 = (2 * p * rc) / (p + rc);
  console.log(`cells: P ${p.toFixed(3)} R ${rc.toFixed(3)} F1 ${f1.toFixed(3)} (${truth} cells)`);
  assert.ok(f1 >= 0.75, `cell F1 ${f1}`);
});
