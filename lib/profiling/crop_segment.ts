/**
 * Fallback segmentation of the cell centred in a single-cell crop, for crops that come without masks (the
 * real BBBC021 crops: a fixed window around a nucleus, neighbours visible). Self-contained small image
 * helpers (Gaussian smoothing, Otsu, connected components, hole filling, exact Euclidean distance
 * transform) on square `S×S` row-major planes.
 *
 * Method ({@linkcode segmentCentreCell}):
 *
 * 1. Nuclei: the DNA channel smoothed by a Gaussian (σ = 1 px, border clamped) and thresholded with Otsu's
 *    method (256 bins over the crop's range, foreground `v > t`, as scikit-image); 8-connected components of
 *    fewer than `minNucleusArea` pixels (default 4) are dropped. The centre nucleus is the component nearest
 *    the crop centre ((S−1)/2, (S−1)/2) (distance to its nearest pixel; one covering the centre wins), holes
 *    filled. The other components are kept as competing seeds.
 * 2. Cell: tubulin and actin, each divided by its mean over the crop (so neither dominates by scale),
 *    summed, smoothed (same σ), log-transformed (`ln(v + 0.001)`, so the background/cytoplasm contrast
 *    outweighs the texture inside a cell that fills most of the crop) and thresholded with Otsu; every
 *    nucleus is added to this foreground. All
 *    nuclei then grow together inside the foreground (multi-seed breadth-first region growing,
 *    8-connected, first come first served), at most `maxGrowth` steps (default ⌊S/4⌋ px) from their nucleus;
 *    the cell is the region grown from the centre nucleus, holes filled, nucleus included. A neighbouring
 *    cell thus stops the centre cell where the two meet half way.
 *
 * A blank or constant crop (no threshold separates anything) gives empty masks; nothing throws for
 * content, only for wrong sizes.
 *
 * @module
 */

/** Options of {@linkcode segmentCentreCell}. */
export interface SegmentOptions {
  /** Gaussian smoothing σ in pixels before thresholding (default 1; 0 = none). */
  sigma?: number;
  /** Largest distance (region-growing steps, px) the cell may extend from its nucleus (default ⌊S/4⌋). */
  maxGrowth?: number;
  /** Nucleus components smaller than this many pixels are noise (default 4). */
  minNucleusArea?: number;
}

/** Masks of the centre cell (`S×S`, 1 = inside). */
export interface CellMasks {
  /** Nucleus of the centre cell. */
  nucleus: Uint8Array;
  /** Whole centre cell (contains the nucleus). */
  cell: Uint8Array;
}

/** Gaussian smoothing of a `size×size` plane (separable, radius ⌈3σ⌉, border clamped). σ ≤ 0 copies. */
export function gaussianBlur(src: ArrayLike<number>, size: number, sigma: number): Float32Array {
  const n = size * size;
  if (!(sigma > 0)) return Float32Array.from(src as ArrayLike<number>);
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float64Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= s;
  // Each row padded by r clamped values on both sides, then convolved without bounds checks.
  const W = size + 2 * r;
  const line = new Float64Array(W);
  const tmp = new Float32Array(n), out = new Float32Array(n);
  const taps = 2 * r + 1;
  for (let y = 0; y < size; y++) {
    const row = y * size;
    for (let t = 0; t < W; t++) {
      const x = t - r;
      line[t] = src[row + (x < 0 ? 0 : x >= size ? size - 1 : x)];
    }
    for (let x = 0; x < size; x++) {
      let acc = 0;
      for (let t = 0; t < taps; t++) acc += k[t] * line[x + t];
      tmp[row + x] = acc;
    }
  }
  for (let x = 0; x < size; x++) {
    for (let t = 0; t < W; t++) {
      const y = t - r;
      line[t] = tmp[(y < 0 ? 0 : y >= size ? size - 1 : y) * size + x];
    }
    for (let y = 0; y < size; y++) {
      let acc = 0;
      for (let t = 0; t < taps; t++) acc += k[t] * line[y + t];
      out[y * size + x] = acc;
    }
  }
  return out;
}

/**
 * Otsu's threshold of `data`: 256 bins over its range, the split between bins maximising the
 * between-class variance (first of ties), returned as the upper edge of the last background bin so the
 * classes are exactly the histogram split (scikit-image `threshold_otsu` returns that bin's centre).
 * Foreground is `v > t`. NaN for a constant or empty input (nothing to separate).
 */
export function otsu(data: ArrayLike<number>, bins = 256): number {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) return NaN;
  const hist = new Float64Array(bins);
  const scale = bins / (hi - lo);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v === v)) continue;
    let b = Math.floor((v - lo) * scale);
    if (b >= bins) b = bins - 1;
    hist[b]++;
  }
  const width = (hi - lo) / bins;
  let total = 0, sumAll = 0;
  for (let b = 0; b < bins; b++) {
    total += hist[b];
    sumAll += hist[b] * (lo + (b + 0.5) * width);
  }
  let w0 = 0, s0 = 0, best = -1, bestB = 0;
  for (let b = 0; b < bins - 1; b++) {
    w0 += hist[b];
    s0 += hist[b] * (lo + (b + 0.5) * width);
    const w1 = total - w0;
    if (w0 === 0 || w1 === 0) continue;
    const m0 = s0 / w0, m1 = (sumAll - s0) / w1;
    const between = w0 * w1 * (m0 - m1) * (m0 - m1);
    if (between > best) {
      best = between;
      bestB = b;
    }
  }
  return lo + (bestB + 1) * width;
}

/**
 * 8-connected components of the pixels set in `mask` (`size×size`). Returns labels (0 = background,
 * 1…count in raster order of their first pixel) and the pixel count of each label (`areas[0]` unused).
 */
export function labelComponents(mask: Uint8Array, size: number): { labels: Int32Array; areas: number[] } {
  const n = size * size;
  const labels = new Int32Array(n);
  const areas = [0];
  const stack = new Int32Array(n);
  let next = 0;
  for (let start = 0; start < n; start++) {
    if (!mask[start] || labels[start]) continue;
    next++;
    let top = 0, area = 0;
    stack[top++] = start;
    labels[start] = next;
    while (top > 0) {
      const i = stack[--top];
      area++;
      const y = (i / size) | 0, x = i - y * size;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= size) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= size) continue;
          const j = yy * size + xx;
          if (mask[j] && !labels[j]) {
            labels[j] = next;
            stack[top++] = j;
          }
        }
      }
    }
    areas.push(area);
  }
  return { labels, areas };
}

/**
 * Fills the holes of `mask` in place: background pixels not 4-connected to the crop border become
 * foreground. Returns `mask`.
 */
export function fillHoles(mask: Uint8Array, size: number): Uint8Array {
  const n = size * size;
  const seen = new Uint8Array(n);
  const stack = new Int32Array(n);
  let top = 0;
  const push = (i: number) => {
    if (!mask[i] && !seen[i]) {
      seen[i] = 1;
      stack[top++] = i;
    }
  };
  for (let t = 0; t < size; t++) {
    push(t);
    push((size - 1) * size + t);
    push(t * size);
    push(t * size + size - 1);
  }
  while (top > 0) {
    const i = stack[--top];
    const y = (i / size) | 0, x = i - y * size;
    if (x > 0) push(i - 1);
    if (x < size - 1) push(i + 1);
    if (y > 0) push(i - size);
    if (y < size - 1) push(i + size);
  }
  for (let i = 0; i < n; i++) if (!mask[i] && !seen[i]) mask[i] = 1;
  return mask;
}

/** 1-D squared distance transform (Felzenszwalb & Huttenlocher) of `f` (length n, finite) into `d`. */
function dt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (s <= z[k]) {
      k--;
      s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const t = q - v[k];
    d[q] = t * t + f[v[k]];
  }
}

/**
 * Exact Euclidean distance from each pixel set in `mask` to the nearest pixel not set, the crop being
 * padded with background (so a pixel on the crop border is at distance 1). 0 outside the mask.
 */
export function distanceToEdge(mask: Uint8Array, size: number): Float32Array {
  const m = size + 2;
  const grid = new Float64Array(m * m);
  for (let y = 0; y < m; y++) {
    for (let x = 0; x < m; x++) {
      const inside = x > 0 && y > 0 && x <= size && y <= size && mask[(y - 1) * size + (x - 1)];
      grid[y * m + x] = inside ? 1e12 : 0;
    }
  }
  const f = new Float64Array(m), d = new Float64Array(m), z = new Float64Array(m + 1);
  const v = new Int32Array(m);
  for (let x = 0; x < m; x++) {
    for (let y = 0; y < m; y++) f[y] = grid[y * m + x];
    dt1d(f, m, d, v, z);
    for (let y = 0; y < m; y++) grid[y * m + x] = d[y];
  }
  for (let y = 0; y < m; y++) {
    const row = y * m;
    for (let x = 0; x < m; x++) f[x] = grid[row + x];
    dt1d(f, m, d, v, z);
    for (let x = 0; x < m; x++) grid[row + x] = d[x];
  }
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) out[y * size + x] = Math.sqrt(grid[(y + 1) * m + x + 1]);
  }
  return out;
}

/**
 * Index (1…) of the component nearest the crop centre ((S−1)/2, (S−1)/2), measured to its nearest pixel;
 * ties go to the larger component, then the lower label. 0 when no component is eligible.
 */
function nearestCentre(labels: Int32Array, areas: number[], keep: Uint8Array, size: number): number {
  const c = (size - 1) / 2;
  const best = new Float64Array(areas.length).fill(Infinity);
  for (let y = 0, i = 0; y < size; y++) {
    for (let x = 0; x < size; x++, i++) {
      const l = labels[i];
      if (!l || !keep[l]) continue;
      const d = (x - c) * (x - c) + (y - c) * (y - c);
      if (d < best[l]) best[l] = d;
    }
  }
  let pick = 0;
  for (let l = 1; l < areas.length; l++) {
    if (!keep[l]) continue;
    if (
      pick === 0 || best[l] < best[pick] - 1e-9 ||
      (Math.abs(best[l] - best[pick]) <= 1e-9 && areas[l] > areas[pick])
    ) pick = l;
  }
  return pick;
}

function checkPlane(plane: ArrayLike<number>, size: number, what: string): void {
  if (plane.length !== size * size) {
    throw new RangeError(
      `segmentCentreCell: expected the ${what} as ${size}×${size} = ${
        size * size
      } values, got ${plane.length}`,
    );
  }
}

/**
 * Segments the cell centred in a crop (see the module documentation for the method).
 *
 * @param dna DNA channel, `size×size` row-major.
 * @param tubulin Tubulin channel.
 * @param actin Actin channel.
 * @param size Crop side S.
 * @param options Smoothing, growth bound, minimum nucleus size.
 * @param given Masks already known: a given nucleus is used as the centre seed (other nuclei still compete);
 *   a given cell is used as is, and a segmented nucleus is then clipped to it.
 * @returns The centre nucleus and cell masks (new arrays; given masks are not modified, but are returned
 *   as copies normalised to 0/1).
 * @throws RangeError when a plane or mask is not `size×size`.
 */
export function segmentCentreCell(
  dna: ArrayLike<number>,
  tubulin: ArrayLike<number>,
  actin: ArrayLike<number>,
  size: number,
  options: SegmentOptions = {},
  given: { nucleus?: Uint8Array; cell?: Uint8Array } = {},
): CellMasks {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`segmentCentreCell: expected a positive integer crop size, got ${size}`);
  }
  checkPlane(dna, size, "DNA channel");
  checkPlane(tubulin, size, "tubulin channel");
  checkPlane(actin, size, "actin channel");
  if (given.nucleus) checkPlane(given.nucleus, size, "nucleus mask");
  if (given.cell) checkPlane(given.cell, size, "cell mask");
  const n = size * size;
  const sigma = options.sigma ?? 1;
  const maxGrowth = options.maxGrowth ?? Math.floor(size / 4);
  const minArea = options.minNucleusArea ?? 4;

  // 1. Nuclei.
  const dnaSmooth = gaussianBlur(dna, size, sigma);
  const t = otsu(dnaSmooth);
  const fg = new Uint8Array(n);
  if (t === t) { for (let i = 0; i < n; i++) fg[i] = dnaSmooth[i] > t ? 1 : 0; }
  const { labels, areas } = labelComponents(fg, size);
  const keep = new Uint8Array(areas.length);
  for (let l = 1; l < areas.length; l++) keep[l] = areas[l] >= minArea ? 1 : 0;
  const nucleus = new Uint8Array(n);
  // seeds: 1 = centre nucleus, 2… = other nuclei, 0 = none.
  const seeds = new Int32Array(n);
  if (given.nucleus) {
    for (let i = 0; i < n; i++) if (given.nucleus[i]) nucleus[i] = 1;
  } else {
    const centre = nearestCentre(labels, areas, keep, size);
    if (centre) {
      for (let i = 0; i < n; i++) if (labels[i] === centre) nucleus[i] = 1;
      fillHoles(nucleus, size);
    }
  }
  if (given.cell) { for (let i = 0; i < n; i++) if (!given.cell[i]) nucleus[i] = 0; }
  for (let i = 0; i < n; i++) {
    if (nucleus[i]) seeds[i] = 1;
    else if (labels[i] && keep[labels[i]]) seeds[i] = labels[i] + 1;
  }
  // A neighbour component touching the centre nucleus (possible with a given nucleus) is not a rival.
  if (given.nucleus) {
    const touching = new Set<number>();
    for (let i = 0; i < n; i++) if (nucleus[i] && labels[i]) touching.add(labels[i] + 1);
    for (let i = 0; i < n; i++) if (touching.has(seeds[i])) seeds[i] = 0;
  }

  if (given.cell) {
    const cell = new Uint8Array(n);
    for (let i = 0; i < n; i++) if (given.cell[i]) cell[i] = 1;
    return { nucleus, cell };
  }

  // 2. Cell: normalised tubulin + actin, smoothed, Otsu; multi-seed growth.
  const sum = new Float32Array(n);
  for (const ch of [tubulin, actin]) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += ch[i];
    mean /= n;
    if (!(mean > 0)) continue;
    const inv = 1 / mean;
    for (let i = 0; i < n; i++) sum[i] += ch[i] * inv;
  }
  const cellSmooth = gaussianBlur(sum, size, sigma);
  // Log scale: the background/cytoplasm contrast then outweighs the texture inside a large cell.
  for (let i = 0; i < n; i++) cellSmooth[i] = Math.log(Math.max(0, cellSmooth[i]) + 1e-3);
  const tc = otsu(cellSmooth);
  const cfg = new Uint8Array(n);
  if (tc === tc) { for (let i = 0; i < n; i++) cfg[i] = cellSmooth[i] > tc ? 1 : 0; }
  const owner = new Int32Array(n);
  let frontier: number[] = [];
  for (let i = 0; i < n; i++) {
    if (seeds[i]) {
      owner[i] = seeds[i];
      cfg[i] = 1;
      frontier.push(i);
    }
  }
  for (let step = 0; step < maxGrowth && frontier.length > 0; step++) {
    const nextFrontier: number[] = [];
    for (const i of frontier) {
      const y = (i / size) | 0, x = i - y * size;
      const o = owner[i];
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= size) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= size) continue;
          const j = yy * size + xx;
          if (cfg[j] && !owner[j]) {
            owner[j] = o;
            nextFrontier.push(j);
          }
        }
      }
    }
    frontier = nextFrontier;
  }
  const cell = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (owner[i] === 1) cell[i] = 1;
  fillHoles(cell, size);
  for (let i = 0; i < n; i++) if (nucleus[i]) cell[i] = 1;
  return { nucleus, cell };
}
