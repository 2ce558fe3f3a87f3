import assert from "node:assert/strict";
import { stratifiedSample } from "./stratify.ts";

Deno.test("stratifiedSample: up to k of each class, the control first, the rest by name, seeded", () => {
  const labels = ["b", "DMSO", "a", "b", null, "a", "b", "DMSO", "a", "a"];
  const s = stratifiedSample(labels, 2, 7, { first: "DMSO" });
  assert.deepEqual(s.map((x) => x.label), ["DMSO", "a", "b"]);
  assert.deepEqual(s.map((x) => x.available), [2, 4, 3]);
  for (const x of s) {
    assert.equal(x.indices.length, 2);
    assert.equal(new Set(x.indices).size, 2, "without replacement");
    for (const i of x.indices) assert.equal(labels[i], x.label);
  }
  assert.deepEqual(stratifiedSample(labels, 2, 7, { first: "DMSO" }), s, "the same seed draws the same");
  const other = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => stratifiedSample(labels, 2, seed)[0].indices.join());
  assert.ok(new Set(other).size > 1, "other seeds draw others");
  // A class smaller than k gives all it has; null labels are in no class.
  const one = stratifiedSample(labels, 5, 1);
  assert.deepEqual(one.map((x) => x.indices.length), [4, 3, 2]);
  assert.ok(!one.some((x) => x.indices.includes(4)));
  assert.throws(() => stratifiedSample(labels, 0, 1), /items per class ≥ 1, got 0/);
});
