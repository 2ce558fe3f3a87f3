import assert from "node:assert/strict";
import {
  attributeDirection,
  correlation,
  interpolate,
  lerp,
  measureAlgebra,
  normalLatents,
  pairedChange,
  rowNorms,
  slerp,
} from "./latent.ts";
import { ATTRIBUTES } from "./measure.ts";
import { plantedGenerator } from "./test_util.ts";

Deno.test("interpolate: endpoints exact; slerp keeps the norm of equal-norm ends, linear dips", () => {
  const a = [3, 0, 0, 0], b = [0, 3, 0, 0];
  for (const kind of ["linear", "slerp"] as const) {
    const z = interpolate(a, b, 5, kind);
    assert.deepEqual([...z.subarray(0, 4)], a);
    assert.deepEqual([...z.subarray(16, 20)], b);
  }
  const ls = rowNorms(interpolate(a, b, 5, "linear"), 4);
  const ss = rowNorms(interpolate(a, b, 5, "slerp"), 4);
  assert.ok(Math.abs(ls[2] - 3 / Math.SQRT2) < 1e-6);
  for (const n of ss) assert.ok(Math.abs(n - 3) < 1e-5);
  assert.deepEqual([...slerp(a, a, 0.3)], [...lerp(a, a, 0.3)]); // parallel ends: linear
  assert.throws(() => interpolate(a, b, 1, "linear"), /at least 2 steps/);
});

Deno.test("attributeDirection: top minus bottom decile finds the axis that drives the values", () => {
  const n = 500, d = 10;
  const z = normalLatents(n, d, 5);
  const values = Array.from({ length: n }, (_, i) => 2 * z[i * d + 4] + 0.1 * z[i * d]);
  const r = attributeDirection(z, values, d, 0.1);
  assert.equal(r.top.length, 50);
  assert.equal(r.bottom.length, 50);
  const norm = Math.hypot(...r.direction);
  assert.ok(r.direction[4] / norm > 0.95, `cosine with the planted axis ${r.direction[4] / norm}`);
  assert.ok(r.topMean > r.bottomMean);
});

Deno.test("pairedChange and correlation", () => {
  const c = pairedChange([1, 2, 3, 4], [2, 3, 5, 4]);
  assert.equal(c.n, 4);
  assert.equal(c.mean, 1);
  assert.equal(c.fractionIncreased, 0.75);
  assert.ok(Math.abs(c.sd - Math.sqrt(2 / 3)) < 1e-12);
  assert.ok(Math.abs(correlation([1, 2, 3], [2, 4, 6]) - 1) < 1e-12);
});

Deno.test("measureAlgebra detects the planted nucleus and tubulin directions of a fake generator", async () => {
  const d = 16, size = 24;
  const gen = plantedGenerator(size, d, 3, 7);
  for (const [attribute, axis] of [[ATTRIBUTES[0], 3], [ATTRIBUTES[1], 7]] as const) {
    const r = await measureAlgebra(gen, attribute, {
      samples: 400,
      fraction: 0.1,
      examples: 3,
      seed: 1,
      batchSize: 64,
    });
    assert.equal(r.fitSamples, 200);
    assert.equal(r.heldOut, 200);
    const cos = r.direction[axis] / r.directionNorm;
    assert.ok(cos > 0.8, `${attribute.name}: cosine with the planted axis ${cos}`);
    const one = r.change[0], two = r.change[1];
    assert.equal(one.step, 1);
    assert.equal(one.direction.n, 200);
    assert.ok(one.direction.mean > 0 && one.direction.t > 5, `${attribute.name}: ${JSON.stringify(one)}`);
    assert.ok(one.direction.fractionIncreased > 0.8);
    assert.ok(two.direction.mean > one.direction.mean, "two steps change it more than one");
    // One random direction of the same length: in 16-d its cosine with a planted axis is typically ±0.25 (it
    // moves the attribute a little either way); the found direction moves it much more.
    assert.ok(Math.abs(one.control.mean) < 0.75 * one.direction.mean, `control ${one.control.mean}`);
    assert.ok(r.analogy.mean > 0 && r.analogy.fractionIncreased > 0.7, JSON.stringify(r.analogy));
    assert.ok(r.heldOutCorrelation > 0.5, `held-out correlation ${r.heldOutCorrelation}`);
    assert.deepEqual(r.along.map((a) => a.step), [0, 1, 2]);
    assert.equal(r.examples.steps.length, 3);
    assert.equal(r.examples.steps[0].images.length, 3 * size * size * 3);
    assert.equal(r.examples.analogy.result.length, 3 * size * size * 3);
  }
});

Deno.test("measureAlgebra finds no change where the generator ignores z", async () => {
  const size = 16, d = 8;
  const planted = plantedGenerator(size, d);
  const flat = {
    latentDim: d,
    size,
    generate: (_z: Float32Array, n: number) => planted.generate(new Float32Array(n * d), n),
  };
  const r = await measureAlgebra(flat, ATTRIBUTES[0], { samples: 60, examples: 1 });
  assert.equal(r.change[0].direction.mean, 0);
  assert.equal(r.change[0].direction.fractionIncreased, 0);
  assert.equal(r.analogy.mean, 0);
});
