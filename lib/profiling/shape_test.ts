import assert from "node:assert/strict";
import { convexArea, convexHull, croftonPerimeter, moments, SHAPE_MEASURES, shapeFeatures } from "./shape.ts";

const S = 64;

/** Pixels with (x − cx)²/a² + (y − cy)²/b² ≤ 1. */
function ellipse(a: number, b: number, cx = 31.5, cy = 31.5): Uint8Array {
  const m = new Uint8Array(S * S);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      if (((x - cx) / a) ** 2 + ((y - cy) / b) ** 2 <= 1) m[y * S + x] = 1;
    }
  }
  return m;
}

function count(m: Uint8Array): number {
  return m.reduce((s, v) => s + (v ? 1 : 0), 0);
}

function feature(f: Float32Array | Float64Array, name: typeof SHAPE_MEASURES[number]): number {
  return f[SHAPE_MEASURES.indexOf(name)];
}

Deno.test("shape: a filled disc has form factor ≈ 1, eccentricity ≈ 0, solidity 1, area πr²", () => {
  for (const r of [8, 12, 20]) {
    const m = ellipse(r, r);
    const f = shapeFeatures(m, S);
    assert.equal(feature(f, "Area"), count(m));
    assert.ok(Math.abs(feature(f, "Area") - Math.PI * r * r) / (Math.PI * r * r) < 0.04, `area r=${r}`);
    assert.ok(
      Math.abs(feature(f, "Perimeter") - 2 * Math.PI * r) / (2 * Math.PI * r) < 0.04,
      `perimeter r=${r}`,
    );
    assert.ok(
      Math.abs(feature(f, "FormFactor") - 1) < 0.06,
      `form factor r=${r}: ${feature(f, "FormFactor")}`,
    );
    assert.ok(feature(f, "Eccentricity") < 0.1, `eccentricity r=${r}: ${feature(f, "Eccentricity")}`);
    assert.equal(feature(f, "Solidity"), 1);
    assert.ok(Math.abs(feature(f, "MajorAxisLength") - 2 * r) < 1, `major r=${r}`);
    assert.ok(Math.abs(feature(f, "MinorAxisLength") - 2 * r) < 1, `minor r=${r}`);
    // Extent of a disc in its bounding square: π/4.
    assert.ok(Math.abs(feature(f, "Extent") - Math.PI / 4) < 0.03, `extent r=${r}`);
    // Centred on a pixel, the digital disc has one-pixel tips on its axes: form factor a little lower.
    const g = shapeFeatures(ellipse(r, r, 31, 31), S);
    assert.ok(
      Math.abs(feature(g, "FormFactor") - 1) < 0.1,
      `form factor r=${r}: ${feature(g, "FormFactor")}`,
    );
    assert.equal(feature(g, "Solidity"), 1);
  }
});

Deno.test("shape: an ellipse with semi-axes 24 and 12 has eccentricity √(1 − 1/4) and axes 48, 24", () => {
  const f = shapeFeatures(ellipse(24, 12), S);
  assert.ok(Math.abs(feature(f, "Eccentricity") - Math.sqrt(0.75)) < 0.01, `${feature(f, "Eccentricity")}`);
  assert.ok(Math.abs(feature(f, "MajorAxisLength") - 48) < 1);
  assert.ok(Math.abs(feature(f, "MinorAxisLength") - 24) < 1);
  assert.ok(feature(f, "Solidity") > 0.99);
  // Rotated by 90°: same values.
  const g = shapeFeatures(ellipse(12, 24), S);
  assert.ok(Math.abs(feature(g, "Eccentricity") - feature(f, "Eccentricity")) < 1e-6);
  // Ellipse perimeter (Ramanujan) ≈ 116.2; form factor well below 1.
  assert.ok(Math.abs(feature(f, "Perimeter") - 116.2) / 116.2 < 0.04);
  assert.ok(feature(f, "FormFactor") < 0.9);
});

Deno.test("shape: a C shape has solidity < 0.8; a square has extent 1 and solidity 1", () => {
  const c = new Uint8Array(S * S);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const r = Math.hypot(x - 31.5, y - 31.5);
      if (r <= 20 && r >= 12 && !(x > 31.5 && Math.abs(y - 31.5) < 6)) c[y * S + x] = 1;
    }
  }
  const f = shapeFeatures(c, S);
  assert.ok(feature(f, "Solidity") < 0.8, `C solidity ${feature(f, "Solidity")}`);
  assert.ok(feature(f, "Solidity") > 0.4);

  const sq = new Uint8Array(S * S);
  for (let y = 10; y < 30; y++) for (let x = 5; x < 25; x++) sq[y * S + x] = 1;
  const g = shapeFeatures(sq, S);
  assert.equal(feature(g, "Area"), 400);
  assert.equal(feature(g, "Extent"), 1);
  assert.equal(feature(g, "Solidity"), 1);
  assert.equal(feature(g, "Eccentricity"), 0);
  // Crofton perimeter of an axis-aligned square of side a: n0 = n90 = 2a, n45 = n135 = 4a − 2.
  assert.ok(Math.abs(feature(g, "Perimeter") - (Math.PI / 8) * (80 + (2 * 78) / Math.SQRT2)) < 1e-9);
});

Deno.test("shape: convex hull pixel count of a rectangle, an L and degenerate hulls", () => {
  const l = new Uint8Array(S * S);
  for (let y = 0; y < 10; y++) l[y * S] = 1; // vertical bar x = 0, y 0..9
  for (let x = 0; x < 10; x++) l[9 * S + x] = 1; // horizontal bar y = 9
  // Hull: triangle (0,0), (0,9), (9,9): pixel centres inside = 1 + 2 + … + 10 = 55.
  assert.equal(convexArea(convexHull(l, S)), 55);
  assert.ok(Math.abs(shapeFeatures(l, S)[SHAPE_MEASURES.indexOf("Solidity")] - 19 / 55) < 1e-6);
  const one = new Uint8Array(S * S);
  one[5 * S + 7] = 1;
  assert.deepEqual(convexHull(one, S), [7, 5]);
  assert.equal(convexArea(convexHull(one, S)), 1);
  const line = new Uint8Array(S * S);
  for (let x = 3; x < 13; x++) line[4 * S + x] = 1;
  assert.equal(convexArea(convexHull(line, S)), 10);
  const f = shapeFeatures(line, S);
  assert.equal(feature(f, "Solidity"), 1);
  assert.equal(feature(f, "Eccentricity"), 1);
  assert.equal(feature(f, "MinorAxisLength"), 0);
  const p = shapeFeatures(one, S);
  assert.equal(feature(p, "Area"), 1);
  assert.equal(feature(p, "Eccentricity"), 0);
  assert.ok(Math.abs(feature(p, "Perimeter") - (Math.PI / 8) * (4 + 4 / Math.SQRT2)) < 1e-12);
});

Deno.test("shape: an empty mask gives area 0, perimeter 0 and NaN; wrong sizes throw", () => {
  const f = shapeFeatures(new Uint8Array(S * S), S);
  assert.equal(f[0], 0);
  assert.equal(f[1], 0);
  for (let k = 2; k < SHAPE_MEASURES.length; k++) assert.ok(Number.isNaN(f[k]));
  assert.equal(croftonPerimeter(new Uint8Array(16), 4), 0);
  assert.ok(Number.isNaN(moments(new Uint8Array(16), 4).cx));
  assert.throws(() => shapeFeatures(new Uint8Array(10), 4), /expected a 4×4 mask \(16 values\), got 10/);
  assert.throws(() => shapeFeatures(new Uint8Array(0), 0), /positive integer crop size/);
});

Deno.test("shape: an object touching the crop border is closed by the padding", () => {
  const m = new Uint8Array(16).fill(1); // 4×4 full crop
  const f = shapeFeatures(m, 4);
  assert.equal(feature(f, "Area"), 16);
  assert.equal(feature(f, "Solidity"), 1);
  assert.ok(Math.abs(feature(f, "Perimeter") - (Math.PI / 8) * (16 + 28 / Math.SQRT2)) < 1e-9);
});
