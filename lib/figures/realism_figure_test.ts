import assert from "node:assert/strict";
import { Rng } from "../models/rng.ts";
import { scoreSpace } from "./realism_figure.ts";

Deno.test("scoreSpace: the reference set scores near chance, a shifted set far", () => {
  const rng = new Rng(1);
  const d = 3, n = 200;
  const set = (shift: number) => Float32Array.from({ length: n * d }, () => shift + rng.normal());
  const s = scoreSpace("test", ["real A", "real B", "shifted"], [set(0), set(0), set(4)], d);
  assert.equal(s.dims, 3);
  assert.equal(s.rows.length, 2);
  assert.ok(s.rows[0].fd < 0.2 && Math.abs(s.rows[0].oneNn - 0.5) < 0.1, JSON.stringify(s.rows[0]));
  assert.ok(s.rows[1].fd > 40 && s.rows[1].oneNn > 0.95, JSON.stringify(s.rows[1]));
});
