import assert from "node:assert/strict";
import { otsuThreshold, percentiles } from "./threshold.ts";

Deno.test("otsuThreshold separates a bimodal image", () => {
  const data = new Float32Array(1000);
  for (let i = 0; i < 1000; i++) data[i] = i < 700 ? 100 + (i % 10) : 900 + (i % 13);
  const t = otsuThreshold(data);
  assert.ok(t >= 109 && t < 900, `threshold ${t}`);
  assert.equal(data.filter((v) => v > t).length, 300);
  assert.equal(otsuThreshold(new Float32Array(10).fill(4)), 4);
});

Deno.test("otsuThreshold honours a mask", () => {
  const data = Float32Array.from([0, 0, 10, 10, 1000, 1000]);
  const t = otsuThreshold(data, { mask: Uint8Array.from([1, 1, 1, 1, 0, 0]) });
  assert.ok(t > 0 && t < 10);
});

Deno.test("percentiles match sorted ranks to a bin's width", () => {
  const data = new Float32Array(10001);
  for (let i = 0; i <= 10000; i++) data[i] = ((i * 7919) % 10001) / 10;
  const [p1, p50, p99] = percentiles(data, [0.01, 0.5, 0.99]);
  assert.ok(
    Math.abs(p1 - 10) < 0.5 && Math.abs(p50 - 500) < 0.5 && Math.abs(p99 - 990) < 0.5,
    `${p1} ${p50} ${p99}`,
  );
  assert.ok(Number.isNaN(percentiles(data, [0.5], { mask: new Uint8Array(10001) })[0]));
});
