import assert from "node:assert/strict";
import { decode } from "fast-png";
import { autoScale, gridPanel, rowsPanel } from "./panels.ts";
import { PNG_SCALE } from "./svg.ts";
import { syntheticCrops } from "./test_util.ts";

function embedded(body: string) {
  const b64 = /data:image\/png;base64,([^"]+)"/.exec(body)![1];
  return decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
}

Deno.test("gridPanel: shown size in SVG units, embedded at PNG_SCALE× for sharp pixels", () => {
  const size = 16, n = 6;
  const p = gridPanel(syntheticCrops(n, size), n, size, { columns: 3, scale: 2 });
  // 3 columns of 32 units, 2 units apart and around.
  assert.equal(p.width, 3 * 32 + 4 * 2);
  assert.equal(p.height, 2 * 32 + 3 * 2);
  const png = embedded(p.body);
  assert.equal(png.width, p.width * PNG_SCALE);
  assert.equal(png.height, p.height * PNG_SCALE);
  assert.equal(autoScale(32), 2);
  assert.equal(autoScale(96), 1);
});

Deno.test("rowsPanel: one labelled row per entry, column labels above", () => {
  const size = 8;
  const rows = [
    { label: "base", images: syntheticCrops(4, size, 1), n: 4 },
    { label: "base + 1·dir", images: syntheticCrops(4, size, 2), n: 4 },
  ];
  const p = rowsPanel(rows, size, { scale: 4, columnLabels: ["a", "b", "c", "d"], labelWidth: 100 });
  assert.equal(p.width, 100 + 4 * 32 + 5 * 2);
  assert.equal(p.height, 16 + 2 * (32 + 4));
  assert.match(p.body, /base \+ 1·dir/);
  assert.equal((p.body.match(/<image /g) ?? []).length, 2);
});
