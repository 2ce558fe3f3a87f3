import assert from "node:assert/strict";
import {
  distanceToEdge,
  fillHoles,
  gaussianBlur,
  labelComponents,
  otsu,
  segmentCentreCell,
} from "./crop_segment.ts";
import { drawCells } from "./crop_synthetic.ts";

function planes(crop: Float32Array, n: number): Float32Array[] {
  const p = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) p[c][i] = crop[i * 3 + c];
  return p;
}

function disc(S: number, cx: number, cy: number, r: number): Uint8Array {
  const m = new Uint8Array(S * S);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) if (Math.hypot(x - cx, y - cy) <= r) m[y * S + x] = 1;
  }
  return m;
}

/** Intersection over union of two masks. */
function iou(a: Uint8Array, b: Uint8Array): number {
  let i = 0, u = 0;
  for (let k = 0; k < a.length; k++) {
    if (a[k] && b[k]) i++;
    if (a[k] || b[k]) u++;
  }
  return u ? i / u : 1;
}

Deno.test("segment: finds the centre cell among neighbours", () => {
  const S = 68;
  const centre = { x: 33.5, y: 33.5, nucleus: 9, cell: 20 };
  const cells = [
    centre,
    { x: 70, y: 30, nucleus: 9, cell: 20 }, // nucleus just outside the crop, cytoplasm in view
    { x: 10, y: 60, nucleus: 8, cell: 18 }, // nucleus inside, cytoplasm touching the centre cell
    { x: 62, y: 62, nucleus: 7, cell: 14, dna: 1 }, // a brighter neighbour nucleus
  ];
  const crop = drawCells(S, cells, { noise: 0.05 });
  const [dna, tub, act] = planes(crop, S * S);
  const { nucleus, cell } = segmentCentreCell(dna, tub, act, S);
  assert.ok(
    iou(nucleus, disc(S, 33.5, 33.5, 9)) > 0.85,
    `nucleus IoU ${iou(nucleus, disc(S, 33.5, 33.5, 9))}`,
  );
  // The cell: the centre disc minus what the neighbours take (they meet half way), so compare the
  // centre disc clipped to pixels nearer the centre than any neighbour centre.
  const expect = disc(S, 33.5, 33.5, 20);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const d0 = Math.hypot(x - 33.5, y - 33.5);
      for (const c of cells.slice(1)) {
        if (Math.hypot(x - c.x, y - c.y) - c.nucleus < d0 - 9 && Math.hypot(x - c.x, y - c.y) <= c.cell) {
          expect[y * S + x] = 0;
        }
      }
    }
  }
  assert.ok(iou(cell, expect) > 0.85, `cell IoU ${iou(cell, expect)}`);
  for (let i = 0; i < S * S; i++) if (nucleus[i]) assert.equal(cell[i], 1, "nucleus inside cell");
  // Nothing of the far neighbour's nucleus (62, 62) is in the centre cell.
  assert.equal(cell[62 * S + 62], 0);
  assert.equal(cell[60 * S + 10], 0);
});

Deno.test("segment: off-centre nucleus is the nearest one; growth is bounded", () => {
  const S = 40;
  const crop = drawCells(S, [{ x: 25, y: 22, nucleus: 5, cell: 30 }, { x: 4, y: 4, nucleus: 4, cell: 6 }], {
    noise: 0,
  });
  const [dna, tub, act] = planes(crop, S * S);
  const { nucleus, cell } = segmentCentreCell(dna, tub, act, S, { maxGrowth: 4, sigma: 0 });
  assert.equal(nucleus[22 * S + 25], 1);
  assert.equal(nucleus[4 * S + 4], 0);
  // Bounded: chessboard distance from the nucleus (radius 5) at most 4 → nothing beyond 5 + 4·√2 + 1.
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      if (cell[y * S + x]) assert.ok(Math.hypot(x - 25, y - 22) <= 5 + 4 * Math.SQRT2 + 1);
    }
  }
  assert.ok(cell.reduce((s, v) => s + v, 0) > nucleus.reduce((s, v) => s + v, 0));
});

Deno.test("segment: a given nucleus is kept; a given cell clips the segmented nucleus", () => {
  const S = 32;
  const crop = drawCells(S, [{ x: 15.5, y: 15.5, nucleus: 5, cell: 11 }], { noise: 0.01 });
  const [dna, tub, act] = planes(crop, S * S);
  const given = disc(S, 15.5, 15.5, 3);
  const r1 = segmentCentreCell(dna, tub, act, S, {}, { nucleus: given });
  assert.deepEqual(r1.nucleus, given);
  assert.ok(r1.cell.reduce((s, v) => s + v, 0) > 300);
  const half = new Uint8Array(S * S);
  for (let i = 0; i < S * S / 2; i++) half[i] = 1;
  const r2 = segmentCentreCell(dna, tub, act, S, {}, { cell: half });
  assert.deepEqual(r2.cell, half);
  for (let i = S * S / 2; i < S * S; i++) assert.equal(r2.nucleus[i], 0);
  assert.ok(r2.nucleus.reduce((s, v) => s + v, 0) > 20);
});

Deno.test("segment: a blank crop gives empty masks; wrong sizes throw", () => {
  const z = new Float32Array(100);
  const { nucleus, cell } = segmentCentreCell(z, z, z, 10);
  assert.equal(nucleus.reduce((s, v) => s + v, 0), 0);
  assert.equal(cell.reduce((s, v) => s + v, 0), 0);
  assert.throws(
    () => segmentCentreCell(z, z, new Float32Array(99), 10),
    /actin channel as 10×10 = 100 values, got 99/,
  );
  assert.throws(() => segmentCentreCell(z, z, z, 10, {}, { nucleus: new Uint8Array(3) }), /nucleus mask/);
});

Deno.test("segment helpers: Otsu, components, holes, distance transform", () => {
  // Otsu of a two-level image separates the levels.
  const v = new Float32Array(100);
  for (let i = 0; i < 100; i++) v[i] = i < 70 ? 10 + (i % 3) : 50 + (i % 5);
  const t = otsu(v);
  assert.ok(t > 12 && t < 50, `${t}`);
  assert.ok(Number.isNaN(otsu(new Float32Array(5).fill(2))));
  // Two diagonal pixels are one 8-connected component; a far pixel another.
  const m = new Uint8Array(25);
  m[0] = m[6] = m[24] = 1;
  const { labels, areas } = labelComponents(m, 5);
  assert.deepEqual(areas, [0, 2, 1]);
  assert.equal(labels[6], 1);
  assert.equal(labels[24], 2);
  // A ring gets filled; a ring open to the border does not.
  const ring = new Uint8Array(49);
  for (let y = 1; y <= 5; y++) {
    for (let x = 1; x <= 5; x++) if (x === 1 || x === 5 || y === 1 || y === 5) ring[y * 7 + x] = 1;
  }
  const open = ring.slice();
  fillHoles(ring, 7);
  assert.equal(ring.reduce((s, x) => s + x, 0), 25);
  open[1 * 7 + 3] = 0;
  open[0 * 7 + 3] = 0;
  const before = open.reduce((s, x) => s + x, 0);
  fillHoles(open, 7);
  assert.equal(open.reduce((s, x) => s + x, 0), before);
  // Exact EDT against brute force on a random-ish mask (crop border counts as background).
  const S = 15, mm = new Uint8Array(S * S);
  for (let i = 0; i < S * S; i++) mm[i] = (i * 7919) % 11 < 8 ? 1 : 0;
  const d = distanceToEdge(mm, S);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      if (!mm[y * S + x]) {
        assert.equal(d[y * S + x], 0);
        continue;
      }
      let best = Infinity;
      for (let yy = -1; yy <= S; yy++) {
        for (let xx = -1; xx <= S; xx++) {
          const inside = xx >= 0 && yy >= 0 && xx < S && yy < S && mm[yy * S + xx];
          if (!inside) best = Math.min(best, Math.hypot(xx - x, yy - y));
        }
      }
      assert.ok(Math.abs(d[y * S + x] - best) < 1e-5, `(${x}, ${y}): ${d[y * S + x]} vs ${best}`);
    }
  }
  // Gaussian blur keeps a constant and preserves the sum away from the border.
  const g = gaussianBlur(new Float32Array(64).fill(3), 8, 1.5);
  assert.ok(g.every((x) => Math.abs(x - 3) < 1e-5));
});
