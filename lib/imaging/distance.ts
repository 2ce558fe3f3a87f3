/**
 * Exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012, "Distance transforms of sampled
 * functions"): the 1-D lower envelope of parabolas along columns, then along rows, O(n) overall.
 *
 * @module
 */

const INF = 1e20;

/**
 * 1-D squared distance transform of `f` (length `n`) into `d`, with scratch `v` (Int32) and `z` (n+1).
 * Infinite samples (≥ INF) are left out of the envelope; all infinite gives INF everywhere.
 */
function edt1d(f: Float64Array, d: Float64Array, v: Int32Array, z: Float64Array, n: number): void {
  let k = -1;
  for (let q = 0; q < n; q++) {
    const fq = f[q];
    if (fq >= INF) continue;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -INF;
      z[1] = INF;
      continue;
    }
    let p = v[k];
    let s = ((fq + q * q) - (f[p] + p * p)) / (2 * (q - p));
    while (s <= z[k]) {
      k--;
      p = v[k];
      s = ((fq + q * q) - (f[p] + p * p)) / (2 * (q - p));
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = INF;
  }
  if (k < 0) {
    d.fill(INF, 0, n);
    return;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const p = v[k];
    d[q] = (q - p) * (q - p) + f[p];
  }
}

/**
 * Distance from each foreground pixel (`mask` non-zero) to the nearest background pixel, in pixels
 * (0 on background). Like `scipy.ndimage.distance_transform_edt`, pixels beyond the image border are not
 * background; an all-foreground image gives a large finite value (1e10).
 *
 * The first (vertical) pass is the binary special case — distance to the nearest background pixel in the
 * column, from one downward and one upward scan over whole rows (contiguous memory) — and the second
 * (horizontal) pass is Felzenszwalb's lower envelope of parabolas over each run of foreground pixels.
 */
export function distanceTransform(mask: ArrayLike<number>, width: number, height: number): Float32Array {
  const n = width * height;
  if (mask.length !== n) {
    throw new RangeError(
      `distanceTransform: expected ${n} pixels for ${width}×${height}, got ${mask.length}`,
    );
  }
  // Vertical pass: g = distance to the nearest background pixel in the same column (INF when none).
  const BIG = 1e9;
  const g = new Int32Array(n);
  for (let x = 0; x < width; x++) g[x] = mask[x] ? BIG : 0;
  for (let y = 1; y < height; y++) {
    const o = y * width, p = o - width;
    for (let x = 0; x < width; x++) g[o + x] = mask[o + x] ? g[p + x] + 1 : 0;
  }
  for (let y = height - 2; y >= 0; y--) {
    const o = y * width, q = o + width;
    for (let x = 0; x < width; x++) {
      const b = g[q + x] + 1;
      if (b < g[o + x]) g[o + x] = b;
    }
  }
  // Horizontal pass on squared column distances, run by run: for a run of foreground pixels [a, b] the
  // background pixels at a − 1 and b + 1 (f = 0) are nearer than anything beyond them, so the envelope
  // over [a − 1, b + 1] is exact and the work is proportional to the foreground, not the image.
  const f = new Float64Array(width + 2), d = new Float64Array(width + 2), z = new Float64Array(width + 3);
  const v = new Int32Array(width + 2);
  const out = new Float32Array(n);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    let x = 0;
    while (x < width) {
      if (g[o + x] === 0) {
        x++;
        continue;
      }
      const a = x;
      while (x < width && g[o + x] !== 0) x++;
      const b = x - 1;
      const s0 = a > 0 ? a - 1 : a, s1 = b < width - 1 ? b + 1 : b;
      const len = s1 - s0 + 1;
      for (let q = 0; q < len; q++) {
        const gv = g[o + s0 + q];
        f[q] = gv >= BIG / 2 ? INF : gv * gv;
      }
      edt1d(f, d, v, z, len);
      for (let q = a; q <= b; q++) {
        const dv = d[q - s0];
        out[o + q] = dv >= INF ? 1e10 : Math.sqrt(dv);
      }
    }
  }
  return out;
}
