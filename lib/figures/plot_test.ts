import assert from "node:assert/strict";
import { plotPanel } from "./plot.ts";

Deno.test("plotPanel renders an Observable Plot as an SVG panel of its size", async () => {
  const p = await plotPanel((Plot) => ({
    width: 300,
    height: 200,
    marks: [Plot.dot([{ x: 1, y: 2 }, { x: 2, y: 3 }], { x: "x", y: "y" })],
  }));
  assert.equal(p.width, 300);
  assert.equal(p.height, 200);
  assert.match(p.body, /^<svg/);
  assert.equal((p.body.match(/<circle/g) ?? []).length, 2);
  assert.match(p.body, /font-family="DejaVu Sans/);
});

Deno.test("plotPanel refuses what is not one SVG (a legend wraps it in HTML)", async () => {
  await assert.rejects(
    () =>
      plotPanel((Plot) => ({
        color: { legend: true },
        marks: [Plot.dot([{ x: 1, c: "a" }], { x: "x", fill: "c" })],
      })),
    /expected an <svg>/,
  );
});
