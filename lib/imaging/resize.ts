/**
 * Resampling of crop stacks to another side length by area averaging: each output pixel is the mean of the
 * input area it covers (fractional pixel overlaps weighted), separably in x and y. Exact for integer
 * downscaling factors (a 2×2 box mean for 64 → 32) and free of aliasing; upscaling repeats pixels smoothly.
 * @module
 */

/** Overlap weights of an output axis of `to` cells over an input axis of `from` cells: [outIndex][(inIndex, w)]. */
function axisWeights(
  from: number,
  to: number,
): { index: Int32Array; weight: Float32Array; start: Int32Array } {
  const scale = from / to;
  const start = new Int32Array(to + 1);
  const index: number[] = [];
  const weight: number[] = [];
  for (let o = 0; o < to; o++) {
    start[o] = index.length;
    const a = o * scale, b = (o + 1) * scale;
    for (let i = Math.floor(a); i < Math.min(from, Math.ceil(b)); i++) {
      const w = Math.min(b, i + 1) - Math.max(a, i);
      if (w > 1e-9) {
        index.push(i);
        weight.push(w / scale);
      }
    }
  }
  start[to] = index.length;
  return { index: Int32Array.from(index), weight: Float32Array.from(weight), start };
}

/**
 * Resizes `n` crops of `from × from × 3` (NHWC) to `to × to × 3`.
 *
 * @throws RangeError when `data` does not hold `n · from² · 3` values or a size is not positive.
 */
export function resizeCrops(data: ArrayLike<number>, n: number, from: number, to: number): Float32Array {
  if (!(from > 0 && to > 0 && Number.isInteger(from) && Number.isInteger(to))) {
    throw new RangeError(`resizeCrops: expected positive integer sizes, got ${from} → ${to}`);
  }
  if (data.length !== n * from * from * 3) {
    throw new RangeError(
      `resizeCrops: expected ${n * from * from * 3} values for ${n} crops of ${from}², got ${data.length}`,
    );
  }
  const w = axisWeights(from, to);
  const out = new Float32Array(n * to * to * 3);
  const rows = new Float32Array(from * to * 3); // one crop resized in x: [from rows][to cols][3]
  for (let k = 0; k < n; k++) {
    const src = k * from * from * 3;
    for (let y = 0; y < from; y++) {
      for (let ox = 0; ox < to; ox++) {
        let r = 0, g = 0, b = 0;
        for (let j = w.start[ox]; j < w.start[ox + 1]; j++) {
          const i = src + (y * from + w.index[j]) * 3, f = w.weight[j];
          r += data[i] * f;
          g += data[i + 1] * f;
          b += data[i + 2] * f;
        }
        const d = (y * to + ox) * 3;
        rows[d] = r;
        rows[d + 1] = g;
        rows[d + 2] = b;
      }
    }
    const dst = k * to * to * 3;
    for (let oy = 0; oy < to; oy++) {
      for (let ox = 0; ox < to; ox++) {
        let r = 0, g = 0, b = 0;
        for (let j = w.start[oy]; j < w.start[oy + 1]; j++) {
          const i = (w.index[j] * to + ox) * 3, f = w.weight[j];
          r += rows[i] * f;
          g += rows[i + 1] * f;
          b += rows[i + 2] * f;
        }
        const d = dst + (oy * to + ox) * 3;
        out[d] = r;
        out[d + 1] = g;
        out[d + 2] = b;
      }
    }
  }
  return out;
}
