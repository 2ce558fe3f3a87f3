import assert from "node:assert/strict";
import { octant, radialFeatures, ringIndex } from "./radial.ts";

const S = 48;

function disc(cx: number, cy: number, r: number): Uint8Array {
  const m = new Uint8Array(S * S);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) if (Math.hypot(x - cx, y - cy) <= r) m[y * S + x] = 1;
  }
  return m;
}

function run(channels: Float32Array[], cell: Uint8Array, cx: number, cy: number, rings = 4): Float64Array {
  const out = new Float64Array(3 * channels.length * rings);
  radialFeatures(channels, cell, S, cx, cy, rings, out);
  return out;
}

Deno.test("radial: fractions sum to 1; uniform intensity gives MeanFrac 1 and RadialCV 0", () => {
  const cell = disc(23.5, 23.5, 18);
  const uniform = new Float32Array(S * S).fill(2);
  const grad = new Float32Array(S * S);
  for (let i = 0; i < grad.length; i++) grad[i] = 1 + (i % S) / S + Math.sin(i);
  const f = run([uniform, grad], cell, 23.5, 23.5);
  const R = 4, C = 2;
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let b = 0; b < R; b++) s += f[c * R + b];
    assert.ok(Math.abs(s - 1) < 1e-9, `channel ${c}: ${s}`);
  }
  for (let b = 0; b < R; b++) {
    assert.ok(Math.abs(f[C * R + b] - 1) < 1e-9, "MeanFrac of uniform");
    assert.ok(Math.abs(f[2 * C * R + b]) < 1e-9, "RadialCV of uniform");
  }
  // Every ring is occupied in a disc of radius 18.
  const ring = ringIndex(cell, S, 23.5, 23.5, 4);
  const counts = [0, 0, 0, 0];
  for (const r of ring) if (r >= 0) counts[r]++;
  assert.ok(counts.every((n) => n > 0), `${counts}`);
});

Deno.test("radial: a bright centre lands in ring 1, a bright rim in ring 4", () => {
  const cell = disc(23.5, 23.5, 18);
  const centre = new Float32Array(S * S), rim = new Float32Array(S * S);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const r = Math.hypot(x - 23.5, y - 23.5);
      centre[y * S + x] = r < 3 ? 10 : 0.1;
      rim[y * S + x] = r > 16 ? 10 : 0.1;
    }
  }
  const f = run([centre, rim], cell, 23.5, 23.5);
  assert.ok(f[0] > 0.5 && f[0] > f[3], `centre channel ring 1: ${f[0]}`);
  assert.ok(f[4 + 3] > 0.5, `rim channel ring 4: ${f[7]}`);
  assert.ok(f[8] > 1 && f[8 + 4 + 3] > 1, "MeanFrac > 1 where bright");
  // A half-bright ring (one side of the cell) has a large RadialCV.
  const half = new Float32Array(S * S);
  for (let i = 0; i < half.length; i++) half[i] = (i % S) < 24 ? 1 : 0.01;
  const g = run([half], cell, 23.5, 23.5);
  assert.ok(g[8 + 3] > 0.8, `RadialCV ${g[11]}`);
});

Deno.test("radial: empty cell, NaN centre and dark channels give NaN; bad rings throw", () => {
  const v = new Float32Array(S * S).fill(1);
  assert.ok(run([v], new Uint8Array(S * S), 10, 10).every(Number.isNaN));
  assert.ok(run([v], disc(20, 20, 5), NaN, NaN).every(Number.isNaN));
  const dark = run([new Float32Array(S * S)], disc(20, 20, 10), 20, 20);
  for (let k = 0; k < 8; k++) assert.ok(Number.isNaN(dark[k]));
  assert.throws(() => run([v], disc(20, 20, 5), 20, 20, 0), /rings in \[1, 100\]/);
});

Deno.test("radial: octant matches ⌊(atan2 + π)/(π/4)⌋ away from the boundaries", () => {
  for (let k = 0; k < 720; k++) {
    const a = -Math.PI + (k + 0.5) * (2 * Math.PI / 720);
    const want = Math.floor((a + Math.PI) / (Math.PI / 4));
    assert.equal(octant(Math.cos(a), Math.sin(a)), want, `angle ${a}`);
  }
});
