import assert from "node:assert/strict";
import { distanceTransform } from "./distance.ts";
import { Rng } from "../data/rng.ts";

Deno.test("distanceTransform equals brute force on random masks", () => {
  const rng = new Rng(5);
  for (const [w, h] of [[23, 17], [1, 9], [12, 1]]) {
    const m = new Uint8Array(w * h);
    for (let i = 0; i < m.length; i++) m[i] = rng.uniform() < 0.8 ? 1 : 0;
    m[0] = 0;
    const d = distanceTransform(m, w, h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let best = Infinity;
        for (let yy = 0; yy < h; yy++) {
          for (let xx = 0; xx < w; xx++) {
            if (!m[yy * w + xx]) best = Math.min(best, Math.hypot(x - xx, y - yy));
          }
        }
        assert.ok(
          Math.abs(d[y * w + x] - (m[y * w + x] ? best : 0)) < 1e-4,
          `(${x},${y}) ${d[y * w + x]} vs ${best}`,
        );
      }
    }
  }
});

Deno.test("distanceTransform: all foreground gives a large value, like scipy", () => {
  const d = distanceTransform(new Uint8Array(6).fill(1), 3, 2);
  assert.ok(d.every((v) => v >= 1e9));
});
