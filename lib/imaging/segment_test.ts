import assert from "node:assert/strict";
import type { FieldImage } from "../data/field.ts";
import { planSyntheticDataset, renderSyntheticField, resolveSyntheticOptions } from "../data/synthetic.ts";
import { checkField, segmentField } from "./segment.ts";

function syntheticField(k = 0): FieldImage {
  const plan = planSyntheticDataset(resolveSyntheticOptions({ seed: 4 }, "tiny"));
  const r = renderSyntheticField(plan, plan.fields[k]);
  return { width: r.width, height: r.height, bitDepth: 16, channels: r.channels };
}

Deno.test("segmentField: nuclei, cells, props and crops agree", () => {
  // Field 3 holds 25 cells (field 0 only 4 since the stronger week effects on density).
  const field = syntheticField(3);
  const r = segmentField(field, { cropSize: 32 });
  assert.equal(r.status, "ok");
  assert.ok(r.nuclei.count >= 5, `nuclei ${r.nuclei.count}`);
  assert.equal(r.cells.count, r.nuclei.count);
  assert.equal(r.props.length, r.nuclei.count);
  const kept = r.props.filter((p) => p.crop >= 0);
  assert.equal(kept.length, r.crops.count);
  assert.equal(r.crops.data.length, r.crops.count * 32 * 32 * 3);
  for (const p of kept) {
    assert.ok(p.cellArea >= p.nucleusArea && p.nucleusArea > 0);
    assert.ok(p.centroidX >= 16 && p.centroidX <= field.width - 16);
  }
  // The crop's centre pixel is the nucleus' DNA value.
  const p = kept[0];
  const k = p.crop, c = (k * 32 * 32 + 16 * 32 + 16) * 3;
  assert.equal(
    r.crops.data[c],
    field.channels[0][Math.round(p.centroidY) * field.width + Math.round(p.centroidX)],
  );
  assert.ok(r.histogram.total > 0);
});

Deno.test("segmentField reports blank and saturated fields instead of segmenting them", () => {
  const w = 64, h = 64;
  const blank: FieldImage = {
    width: w,
    height: h,
    bitDepth: 16,
    channels: [new Uint16Array(w * h).fill(800), new Uint16Array(w * h), new Uint16Array(w * h)],
  };
  const b = segmentField(blank);
  assert.equal(b.status, "blank");
  assert.match(b.message, /DNA channel is blank/);
  const field = syntheticField(1);
  field.channels[2] = new Uint16Array(field.width * field.height).fill(65535);
  const s = checkField(field);
  assert.equal(s?.status, "saturated");
  assert.match(s!.message, /actin channel is saturated: 100.0 % of pixels ≥ 65520/);
  const twelveBit: FieldImage = { ...syntheticField(1), bitDepth: 16 };
  twelveBit.channels = twelveBit.channels.map((c) => c.map((v) => v >> 4)) as FieldImage["channels"];
  assert.equal(checkField(twelveBit), null, "unscaled 12-bit data is not blank");
});

Deno.test("segmentField: a field whose cells all sit at the border gives no-cells", () => {
  const r = segmentField(syntheticField(2), { cropSize: 250 });
  assert.equal(r.status, "no-cells");
  assert.match(r.message, /every 250×250 crop window leaves the image/);
});
