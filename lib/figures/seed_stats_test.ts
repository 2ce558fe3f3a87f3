import assert from "node:assert/strict";
import { formatSeedScore, seedScore } from "./seed_stats.ts";

Deno.test("seedScore: mean and sample sd over the finite values; one value has sd 0", () => {
  const s = seedScore([1, 2, 3, NaN]);
  assert.equal(s.mean, 2);
  assert.equal(s.sd, 1);
  assert.equal(s.n, 3);
  assert.deepEqual(s.values.slice(0, 3), [1, 2, 3]);
  assert.deepEqual(seedScore([0.5]), { mean: 0.5, sd: 0, n: 1, values: [0.5] });
  assert.ok(Number.isNaN(seedScore([]).mean));
});

Deno.test("formatSeedScore: mean ± sd for several seeds, the value alone for one", () => {
  assert.equal(formatSeedScore(seedScore([0.8, 0.9])), "0.85 ± 0.071");
  assert.equal(formatSeedScore(seedScore([0.8512])), "0.851");
  assert.equal(formatSeedScore(seedScore([])), "n/a");
});
