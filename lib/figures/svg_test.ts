import assert from "node:assert/strict";
import { join } from "node:path";
import { decode } from "fast-png";
import {
  escapeXml,
  figureSvg,
  jsonNumbers,
  PNG_SCALE,
  stack,
  svgToPng,
  wrapText,
  writeFigure,
} from "./svg.ts";

Deno.test("escapeXml and wrapText", () => {
  assert.equal(escapeXml(`a<b & "c"`), "a&lt;b &amp; &quot;c&quot;");
  assert.deepEqual(wrapText("one two three four", 9), ["one two", "three", "four"]);
  assert.deepEqual(wrapText("averyveryverylongword x", 5), ["averyveryverylongword", "x"]);
  assert.deepEqual(wrapText("a\nb", 10), ["a", "b"]);
});

Deno.test("stack lays panels out in rows and columns", () => {
  const p = { width: 10, height: 20, body: "<rect/>" };
  const row = stack([p, p], { direction: "row", gap: 5 });
  assert.equal(row.width, 25);
  assert.equal(row.height, 20);
  const col = stack([p, p], { gap: 5, labels: ["a", "b"] });
  assert.equal(col.width, 10);
  assert.equal(col.height, 2 * (20 + 20) + 5);
  assert.match(col.body, />a<\/text>/);
});

Deno.test("figureSvg and svgToPng: a standalone SVG, rasterised at PNG_SCALE", async () => {
  const body = { width: 700, height: 100, body: `<rect width="700" height="100" fill="red"/>` };
  const f = figureSvg({ title: "T & t", caption: "A caption. ".repeat(30), body });
  assert.match(f.svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(f.svg, /T &amp; t/);
  assert.equal(f.width, 732);
  const png = decode(await svgToPng(f.svg));
  assert.equal(png.width, f.width * PNG_SCALE);
  assert.equal(png.height, f.height * PNG_SCALE);
  // The body's red rectangle is there, the corner is white.
  const px = (
    x: number,
    y: number,
  ) => [...png.data.subarray((y * png.width + x) * png.channels, (y * png.width + x) * png.channels + 3)];
  assert.deepEqual(px(2, 2), [255, 255, 255]);
  assert.deepEqual(px((16 + 350) * PNG_SCALE, (46 + 50) * PNG_SCALE), [255, 0, 0]);
});

Deno.test("writeFigure writes SVG, PNG and JSON (non-finite numbers as null, 6 digits)", async () => {
  const dir = await Deno.makeTempDir();
  const w = await writeFigure(dir, "f", {
    title: "t",
    caption: "c",
    body: { width: 10, height: 10, body: "" },
  }, {
    x: 1 / 3,
    y: NaN,
    n: 7,
  });
  assert.deepEqual(w.files, { svg: "f.svg", png: "f.png", json: "f.json" });
  const json = JSON.parse(await Deno.readTextFile(join(dir, "f.json")));
  assert.deepEqual(json, { name: "f", title: "t", caption: "c", data: { x: 0.333333, y: null, n: 7 } });
  const png = decode(await Deno.readFile(join(dir, "f.png")));
  assert.equal(png.width, w.width);
  assert.equal(png.height, w.height);
  assert.equal(jsonNumbers("", Infinity), null);
  await Deno.remove(dir, { recursive: true });
});
