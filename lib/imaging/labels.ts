/**
 * Connected components and label-image utilities on binary masks (`Uint8Array`, non-zero = foreground)
 * and label images (`Int32Array`, 0 = background, objects 1..count).
 *
 * {@linkcode labelComponents} is the classic two-pass algorithm with a union-find over provisional
 * labels (8- or 4-connectivity); {@linkcode fillHoles} floods the background from the image border
 * (4-connected background, like `scipy.ndimage.binary_fill_holes`); {@linkcode removeSmallObjects}
 * drops components under an area and renumbers the rest 1..k in raster order.
 *
 * @module
 */

/** A label image: `labels[y * width + x]` in 0..count, 0 = background. */
export interface LabelImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Labels, 0 = background. */
  labels: Int32Array;
  /** Number of objects (labels are 1..count). */
  count: number;
}

function find(parent: Int32Array, a: number): number {
  while (parent[a] !== a) {
    parent[a] = parent[parent[a]];
    a = parent[a];
  }
  return a;
}

/**
 * Labels the connected components of `mask` (non-zero = foreground) with 1..count in raster order of
 * their first pixel. `connectivity` 8 (default, like scikit-image's `label` for 2-D) or 4.
 */
export function labelComponents(
  mask: ArrayLike<number>,
  width: number,
  height: number,
  connectivity: 4 | 8 = 8,
): LabelImage {
  const n = width * height;
  if (mask.length !== n) {
    throw new RangeError(`labelComponents: expected ${n} pixels for ${width}×${height}, got ${mask.length}`);
  }
  const labels = new Int32Array(n);
  let parent = new Int32Array(4096);
  let next = 1;
  const conn8 = connectivity === 8;
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let x = 0; x < width; x++) {
      const i = o + x;
      if (!mask[i]) continue;
      // Provisional label from the already-visited neighbours (left, up-left, up, up-right).
      let l = x > 0 ? labels[i - 1] : 0;
      if (y > 0) {
        const up = i - width;
        const cand0 = labels[up];
        const cand1 = conn8 && x > 0 ? labels[up - 1] : 0;
        const cand2 = conn8 && x < width - 1 ? labels[up + 1] : 0;
        for (let c = 0; c < 3; c++) {
          const m = c === 0 ? cand0 : c === 1 ? cand1 : cand2;
          if (m === 0 || m === l) continue;
          if (l === 0) {
            l = m;
            continue;
          }
          // union(l, m): attach the larger root under the smaller.
          let ra = l, rb = m;
          while (parent[ra] !== ra) ra = parent[ra] = parent[parent[ra]];
          while (parent[rb] !== rb) rb = parent[rb] = parent[parent[rb]];
          if (ra < rb) parent[rb] = ra;
          else if (rb < ra) parent[ra] = rb;
        }
      }
      if (l === 0) {
        if (next >= parent.length) {
          const p = new Int32Array(parent.length * 2);
          p.set(parent);
          parent = p;
        }
        parent[next] = next;
        l = next++;
      }
      labels[i] = l;
    }
  }
  // Resolve roots and renumber 1..count in order of first appearance.
  const final = new Int32Array(next);
  let count = 0;
  for (let l = 1; l < next; l++) {
    const r = find(parent, l);
    if (r === l) final[l] = ++count;
  }
  for (let l = 1; l < next; l++) final[l] = final[find(parent, l)];
  for (let i = 0; i < n; i++) if (labels[i]) labels[i] = final[labels[i]];
  return { width, height, labels, count };
}

/**
 * Fills holes: background regions (4-connected) that do not reach the image border become foreground.
 * Returns a new mask (1 = foreground).
 */
export function fillHoles(mask: ArrayLike<number>, width: number, height: number): Uint8Array {
  const n = width * height;
  if (mask.length !== n) {
    throw new RangeError(`fillHoles: expected ${n} pixels for ${width}×${height}, got ${mask.length}`);
  }
  // Scan-line flood fill of the background from the border: out = 0 where reached, 1 elsewhere.
  const out = new Uint8Array(n).fill(1);
  const stack: number[] = [];
  const seed = (i: number) => {
    if (!mask[i] && out[i]) stack.push(i);
  };
  for (let x = 0; x < width; x++) {
    seed(x);
    seed((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    seed(y * width);
    seed(y * width + width - 1);
  }
  while (stack.length) {
    const i = stack.pop()!;
    if (!out[i]) continue;
    const y = (i / width) | 0, o = y * width;
    let a = i - o, b = a;
    while (a > 0 && !mask[o + a - 1] && out[o + a - 1]) a--;
    while (b < width - 1 && !mask[o + b + 1] && out[o + b + 1]) b++;
    for (let x = a; x <= b; x++) out[o + x] = 0;
    // One seed per run of fillable pixels in the rows above and below.
    for (const yy of [y - 1, y + 1]) {
      if (yy < 0 || yy >= height) continue;
      const p = yy * width;
      let inRun = false;
      for (let x = a; x <= b; x++) {
        const ok = !mask[p + x] && out[p + x];
        if (ok && !inRun) stack.push(p + x);
        inRun = !!ok;
      }
    }
  }
  return out;
}

/** Pixel count of each label 0..count (index 0 = background). */
export function labelAreas(labels: Int32Array, count: number): Int32Array {
  const area = new Int32Array(count + 1);
  for (let i = 0; i < labels.length; i++) area[labels[i]]++;
  return area;
}

/**
 * Removes objects smaller than `minArea` pixels (and larger than `maxArea` when given) and renumbers the
 * kept ones 1..k in label order. Returns a new label image (or `image` itself when no bound can apply).
 */
export function removeSmallObjects(image: LabelImage, minArea: number, maxArea = Infinity): LabelImage {
  const { labels, count, width, height } = image;
  if (minArea <= 1 && maxArea === Infinity) return image;
  const area = labelAreas(labels, count);
  const map = new Int32Array(count + 1);
  let k = 0;
  for (let l = 1; l <= count; l++) if (area[l] >= minArea && area[l] <= maxArea) map[l] = ++k;
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = map[labels[i]];
  return { width, height, labels: out, count: k };
}

/** Renumbers the labels present in `labels` to 1..k in label order (background stays 0). */
export function relabelSequential(labels: Int32Array, width: number, height: number): LabelImage {
  let max = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  const present = new Uint8Array(max + 1);
  for (let i = 0; i < labels.length; i++) present[labels[i]] = 1;
  const map = new Int32Array(max + 1);
  let k = 0;
  for (let l = 1; l <= max; l++) if (present[l]) map[l] = ++k;
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = map[labels[i]];
  return { width, height, labels: out, count: k };
}

/** Pixels of `labels` on an object's outline (an 4-neighbour has a different label), as a 0/1 mask. */
export function outlines(labels: Int32Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(labels.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x, l = labels[i];
      if (l === 0) continue;
      if (
        x === 0 || x === width - 1 || y === 0 || y === height - 1 ||
        labels[i - 1] !== l || labels[i + 1] !== l || labels[i - width] !== l || labels[i + width] !== l
      ) out[i] = 1;
    }
  }
  return out;
}
