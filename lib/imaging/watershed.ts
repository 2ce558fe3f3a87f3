/**
 * Marker-controlled watershed by flooding (Meyer 1991; Beucher & Meyer 1993), the algorithm of
 * scikit-image's `watershed` without watershed lines: marker pixels seed a priority queue; the lowest
 * pixel is popped and its unlabelled neighbours inside the mask take its label and are queued at their
 * own level. The priority queue is a hierarchical (bucket) FIFO queue over the image quantised to
 * `levels` grey levels (default 1024), so each push and pop is O(1) instead of a heap's O(log n); within a
 * level, pixels flood in first-in first-out order, which splits plateaus half-way between markers.
 *
 * @module
 */

/** Options for {@linkcode watershed}. */
export interface WatershedOptions {
  /** Only pixels where the mask is non-zero are labelled (default: all). */
  mask?: ArrayLike<number>;
  /** Number of quantisation levels of the image (default 1024). */
  levels?: number;
  /** 4 (default, as scikit-image's `connectivity=1`) or 8. */
  connectivity?: 4 | 8;
}

/**
 * Floods `image` (low values first) from `markers` (0 = unlabelled, > 0 a label). Returns the labels;
 * mask pixels that no marker reaches stay 0. Markers outside the mask still seed.
 */
export function watershed(
  image: ArrayLike<number>,
  markers: Int32Array,
  width: number,
  height: number,
  options: WatershedOptions = {},
): Int32Array {
  const n = width * height;
  if (image.length !== n || markers.length !== n) {
    throw new RangeError(
      `watershed: expected ${n} pixels for ${width}×${height}, got image ${image.length}, markers ${markers.length}`,
    );
  }
  const mask = options.mask;
  const L = Math.min(65535, Math.max(2, options.levels ?? 1024));
  const conn8 = options.connectivity === 8;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    if (mask && !mask[i] && !markers[i]) continue;
    const v = image[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const out = new Int32Array(n);
  if (lo === Infinity) return out;
  const scale = hi > lo ? (L - 1) / (hi - lo) : 0;
  // Quantised levels; OUT marks pixels outside the mask (never flooded).
  const OUT = 0xffff;
  const level = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    level[i] = !mask || mask[i] || markers[i] > 0 ? Math.round((image[i] - lo) * scale) : OUT;
  }
  const head = new Int32Array(L).fill(-1), tail = new Int32Array(L).fill(-1);
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (markers[i] > 0) {
      out[i] = markers[i];
      const l = level[i];
      next[i] = -1;
      if (tail[l] < 0) head[l] = i;
      else next[tail[l]] = i;
      tail[l] = i;
    }
  }
  // Neighbour offsets and the bounds test each needs: dx ∈ {-1,0,1}, dy ∈ {-1,0,1}.
  const ndx = conn8 ? [-1, 1, 0, 0, -1, 1, -1, 1] : [-1, 1, 0, 0];
  const ndy = conn8 ? [0, 0, -1, 1, -1, -1, 1, 1] : [0, 0, -1, 1];
  const k = ndx.length;
  const off = new Int32Array(k);
  for (let d = 0; d < k; d++) off[d] = ndy[d] * width + ndx[d];
  let cur = 0;
  let x = 0, y = 0;
  for (;;) {
    let i = head[cur];
    while (i < 0) {
      if (++cur >= L) return out;
      i = head[cur];
    }
    head[cur] = next[i];
    if (head[cur] < 0) tail[cur] = -1;
    const lab = out[i];
    y = (i / width) | 0;
    x = i - y * width;
    for (let d = 0; d < k; d++) {
      const dx = ndx[d], dy = ndy[d];
      if (
        (dx < 0 && x === 0) || (dx > 0 && x === width - 1) || (dy < 0 && y === 0) ||
        (dy > 0 && y === height - 1)
      ) {
        continue;
      }
      const j = i + off[d];
      const lv = level[j];
      if (out[j] !== 0 || lv === OUT) continue;
      out[j] = lab;
      const lj = lv > cur ? lv : cur;
      next[j] = -1;
      if (tail[lj] < 0) head[lj] = j;
      else next[tail[lj]] = j;
      tail[lj] = j;
    }
  }
}
