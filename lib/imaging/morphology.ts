/**
 * Grey-level morphological reconstruction and h-maxima, used to place one watershed marker per nucleus.
 *
 * {@linkcode reconstructByDilation} is Vincent's (1993) hybrid algorithm: a forward and a backward raster
 * scan, then a FIFO queue propagating from the pixels the backward scan left unfinished; O(n) in practice.
 * {@linkcode hMaxima} marks the regional maxima whose dynamic (height above the highest saddle to a higher
 * maximum) is at least `h`, as the plateaus where `f − rec(f − h, f)` reaches `h` (Soille 2003, §6.3.4),
 * which is what scikit-image's `h_maxima` computes.
 *
 * @module
 */

/**
 * Morphological reconstruction by dilation of `marker` under `mask` (8-connectivity). `marker` must be
 * ≤ `mask` pointwise; it is overwritten with the result, which is also returned.
 */
export function reconstructByDilation(
  marker: Float32Array,
  mask: ArrayLike<number>,
  width: number,
  height: number,
): Float32Array {
  const n = width * height;
  if (marker.length !== n || mask.length !== n) {
    throw new RangeError(`reconstructByDilation: expected ${n} pixels for ${width}×${height}`);
  }
  const r = marker;
  // Forward scan: neighbours above and to the left.
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      let m = r[i];
      if (x > 0 && r[i - 1] > m) m = r[i - 1];
      if (y > 0) {
        const j = i - width;
        if (r[j] > m) m = r[j];
        if (x > 0 && r[j - 1] > m) m = r[j - 1];
        if (x < width - 1 && r[j + 1] > m) m = r[j + 1];
      }
      r[i] = m < mask[i] ? m : mask[i];
    }
  }
  // Backward scan: neighbours below and to the right; queue pixels that can still propagate.
  const queue = new Int32Array(n);
  let qh = 0, qt = 0;
  const inQueue = new Uint8Array(n);
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const i = y * width + x;
      let m = r[i];
      if (x < width - 1 && r[i + 1] > m) m = r[i + 1];
      if (y < height - 1) {
        const j = i + width;
        if (r[j] > m) m = r[j];
        if (x > 0 && r[j - 1] > m) m = r[j - 1];
        if (x < width - 1 && r[j + 1] > m) m = r[j + 1];
      }
      const v = m < mask[i] ? m : mask[i];
      r[i] = v;
      // Queue i when a later-scanned neighbour (right, below) could still grow from it.
      let grow = false;
      if (x < width - 1 && r[i + 1] < v && r[i + 1] < mask[i + 1]) grow = true;
      else if (y < height - 1) {
        const j = i + width;
        if (
          (r[j] < v && r[j] < mask[j]) || (x > 0 && r[j - 1] < v && r[j - 1] < mask[j - 1]) ||
          (x < width - 1 && r[j + 1] < v && r[j + 1] < mask[j + 1])
        ) grow = true;
      }
      if (grow && !inQueue[i]) {
        inQueue[i] = 1;
        queue[qt] = i;
        qt = (qt + 1) % n;
      }
    }
  }
  // FIFO propagation (circular buffer; a pixel is queued at most once at a time).
  while (qh !== qt) {
    const i = queue[qh];
    qh = (qh + 1) % n;
    inQueue[i] = 0;
    const v = r[i];
    const y = (i / width) | 0, x = i - y * width;
    const ya = y > 0 ? y - 1 : 0, yb = y < height - 1 ? y + 1 : y;
    const xa = x > 0 ? x - 1 : 0, xb = x < width - 1 ? x + 1 : x;
    for (let yy = ya; yy <= yb; yy++) {
      for (let xx = xa; xx <= xb; xx++) {
        const j = yy * width + xx;
        if (j === i) continue;
        if (r[j] < v && r[j] !== mask[j]) {
          r[j] = v < mask[j] ? v : mask[j];
          if (!inQueue[j]) {
            inQueue[j] = 1;
            queue[qt] = j;
            qt = (qt + 1) % n;
          }
        }
      }
    }
  }
  return r;
}

/**
 * Regional maxima: a 0/1 mask of the plateaus (8-connected sets of equal value) with no higher
 * neighbour, considering only pixels with `f > floor` (default −∞).
 */
export function regionalMaxima(
  f: ArrayLike<number>,
  width: number,
  height: number,
  floor = -Infinity,
): Uint8Array {
  const n = width * height;
  const out = new Uint8Array(n);
  const seen = new Uint8Array(n);
  const stack = new Int32Array(n);
  const members: number[] = [];
  for (let s = 0; s < n; s++) {
    if (seen[s] || !(f[s] > floor)) continue;
    const v = f[s];
    let isMax = true;
    let sp = 0;
    members.length = 0;
    stack[sp++] = s;
    seen[s] = 1;
    while (sp) {
      const i = stack[--sp];
      members.push(i);
      const y = (i / width) | 0, x = i - y * width;
      const ya = y > 0 ? y - 1 : 0, yb = y < height - 1 ? y + 1 : y;
      const xa = x > 0 ? x - 1 : 0, xb = x < width - 1 ? x + 1 : x;
      for (let yy = ya; yy <= yb; yy++) {
        for (let xx = xa; xx <= xb; xx++) {
          const j = yy * width + xx;
          const fj = f[j];
          if (fj > v) isMax = false;
          else if (fj === v && !seen[j]) {
            seen[j] = 1;
            stack[sp++] = j;
          }
        }
      }
    }
    if (isMax) { for (const i of members) out[i] = 1; }
  }
  return out;
}

/**
 * h-maxima markers: a 0/1 mask of the regional maxima of the h-maxima transform `rec(f − h, f)` (Soille
 * 2003, §6.3.4), only where `f > floor` (default 0). Each regional maximum of `f` whose dynamic is ≥ `h`
 * gives one marker, and maxima that are joined by a path staying within `h` of the top (a nucleus with
 * a bumpy or two-peaked distance ridge) share one marker — including equal-height twin peaks, which the
 * plain test `f − rec = h` would keep apart.
 */
export function hMaxima(
  f: ArrayLike<number>,
  width: number,
  height: number,
  h: number,
  floor = 0,
): Uint8Array {
  const n = width * height;
  const rec = new Float32Array(n);
  for (let i = 0; i < n; i++) rec[i] = Math.max(f[i] - h, floor < f[i] ? floor : f[i]);
  reconstructByDilation(rec, f, width, height);
  for (let i = 0; i < n; i++) if (!(f[i] > floor)) rec[i] = -Infinity;
  return regionalMaxima(rec, width, height, -Infinity);
}
