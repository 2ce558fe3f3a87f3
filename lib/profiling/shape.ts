/**
 * Shape measurements of one binary object in a square crop, CellProfiler-like (`MeasureObjectSizeShape`).
 *
 * A mask is an `S×S` `Uint8Array`, row-major, non-zero = inside. Every pixel that is set counts as part of
 * the object, connected or not. Definitions (pixel units, pixel centres at integer coordinates):
 *
 * - `Area`: number of pixels set.
 * - `Perimeter`: Crofton perimeter over four directions (0°, 45°, 90°, 135°), as scikit-image's
 *   `perimeter_crofton(…, directions=4)`: `π/8 · (n0 + n90 + (n45 + n135)/√2)` where `nθ` counts pairs of
 *   neighbouring pixels in direction θ of which exactly one is inside; the crop is padded with background.
 *   Unbiased on average over orientations: a digital disc of radius r gives ≈ 2πr, an axis-aligned square of
 *   side a ≈ 3.79a (−5 %).
 * - `FormFactor`: `4π·Area/Perimeter²` (≈ 1 for a disc; a single pixel gives 1.75).
 * - `MajorAxisLength`, `MinorAxisLength`: `4√λ` of the eigenvalues λ1 ≥ λ2 of the covariance of the pixel
 *   coordinates (as scikit-image `regionprops`), so a disc of radius r gives ≈ 2r.
 * - `Eccentricity`: `√(1 − λ2/λ1)`: 0 for a disc, `√(1 − b²/a²)` for an ellipse of semi-axes a ≥ b;
 *   0 when λ1 = 0 (a single pixel).
 * - `Solidity`: `Area / ConvexArea`, where `ConvexArea` is the number of pixels whose centre lies inside
 *   the convex hull of the object's pixel centres (so a digitally convex object, such as a digital disc,
 *   has solidity exactly 1).
 * - `Extent`: `Area` over the area of the bounding box in pixels.
 *
 * Degenerate objects: an empty mask gives `Area = 0`, `Perimeter = 0` and NaN for every other measure.
 * Nothing here throws on an empty or blank mask.
 *
 * @module
 */

/** The shape measures, in output order. */
export const SHAPE_MEASURES = [
  "Area",
  "Perimeter",
  "FormFactor",
  "Eccentricity",
  "MajorAxisLength",
  "MinorAxisLength",
  "Solidity",
  "Extent",
] as const;

/** One shape measure name. */
export type ShapeMeasure = typeof SHAPE_MEASURES[number];

/** Moments of an object: pixel count, centroid and central second moments (divided by the count). */
export interface Moments {
  /** Number of pixels set. */
  area: number;
  /** Centroid column (x), NaN when empty. */
  cx: number;
  /** Centroid row (y), NaN when empty. */
  cy: number;
  /** Variance of x. */
  mu20: number;
  /** Variance of y. */
  mu02: number;
  /** Covariance of x and y. */
  mu11: number;
}

function checkMask(mask: Uint8Array, size: number, what: string): void {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`${what}: expected a positive integer crop size, got ${size}`);
  }
  if (mask.length !== size * size) {
    throw new RangeError(
      `${what}: expected a ${size}×${size} mask (${size * size} values), got ${mask.length} values`,
    );
  }
}

/** Pixel count, centroid and central second moments of the pixels set in `mask` (`S×S`). */
export function moments(mask: Uint8Array, size: number): Moments {
  checkMask(mask, size, "moments");
  let n = 0, sx = 0, sy = 0;
  for (let y = 0, i = 0; y < size; y++) {
    for (let x = 0; x < size; x++, i++) {
      if (mask[i]) {
        n++;
        sx += x;
        sy += y;
      }
    }
  }
  if (n === 0) return { area: 0, cx: NaN, cy: NaN, mu20: NaN, mu02: NaN, mu11: NaN };
  const cx = sx / n, cy = sy / n;
  let xx = 0, yy = 0, xy = 0;
  for (let y = 0, i = 0; y < size; y++) {
    const dy = y - cy;
    for (let x = 0; x < size; x++, i++) {
      if (mask[i]) {
        const dx = x - cx;
        xx += dx * dx;
        yy += dy * dy;
        xy += dx * dy;
      }
    }
  }
  return { area: n, cx, cy, mu20: xx / n, mu02: yy / n, mu11: xy / n };
}

/** Crofton perimeter (4 directions) of the pixels set in `mask`, background outside the crop. */
export function croftonPerimeter(mask: Uint8Array, size: number): number {
  checkMask(mask, size, "croftonPerimeter");
  // Padded copy: one background row/column on every side.
  const W = size + 2;
  const p = new Uint8Array(W * W);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) if (mask[y * size + x]) p[(y + 1) * W + x + 1] = 1;
  }
  let n0 = 0, n90 = 0, n45 = 0, n135 = 0;
  // Pairs (x, y)–(x+1, y), (x, y)–(x, y+1), (x, y)–(x+1, y+1), (x+1, y)–(x, y+1) over the padded grid.
  for (let y = 0; y < W - 1; y++) {
    for (let x = 0, i = y * W; x < W - 1; x++, i++) {
      const a = p[i], b = p[i + 1], c = p[i + W], d = p[i + W + 1];
      n0 += a ^ b;
      n90 += a ^ c;
      n45 += a ^ d;
      n135 += b ^ c;
    }
  }
  return (Math.PI / 8) * (n0 + n90 + (n45 + n135) / Math.SQRT2);
}

/** Cross product of OA and OB (positive for a counter-clockwise turn). */
function cross(ox: number, oy: number, ax: number, ay: number, bx: number, by: number): number {
  return (ax - ox) * (by - oy) - (ay - oy) * (bx - ox);
}

/**
 * Convex hull (Andrew's monotone chain) of the centres of the object's boundary pixels, as a flat
 * `[x0, y0, x1, y1, …]` list in counter-clockwise order without collinear points. One point for a single
 * pixel, two for a straight line of pixels, none for an empty mask.
 */
export function convexHull(mask: Uint8Array, size: number): number[] {
  checkMask(mask, size, "convexHull");
  // Boundary pixels (a 4-neighbour outside) suffice: interior pixels cannot be hull vertices.
  // Collected in (x, y) lexicographic order by scanning columns.
  const pts: number[] = [];
  for (let x = 0; x < size; x++) {
    for (let y = 0; y < size; y++) {
      const i = y * size + x;
      if (!mask[i]) continue;
      if (
        x === 0 || y === 0 || x === size - 1 || y === size - 1 ||
        !mask[i - 1] || !mask[i + 1] || !mask[i - size] || !mask[i + size]
      ) pts.push(x, y);
    }
  }
  const m = pts.length / 2;
  if (m <= 1) return pts;
  const lower: number[] = [];
  for (let k = 0; k < m; k++) {
    const px = pts[2 * k], py = pts[2 * k + 1];
    while (
      lower.length >= 4 &&
      cross(
          lower[lower.length - 4],
          lower[lower.length - 3],
          lower[lower.length - 2],
          lower[lower.length - 1],
          px,
          py,
        ) <= 0
    ) lower.length -= 2;
    lower.push(px, py);
  }
  const upper: number[] = [];
  for (let k = m - 1; k >= 0; k--) {
    const px = pts[2 * k], py = pts[2 * k + 1];
    while (
      upper.length >= 4 &&
      cross(
          upper[upper.length - 4],
          upper[upper.length - 3],
          upper[upper.length - 2],
          upper[upper.length - 1],
          px,
          py,
        ) <= 0
    ) upper.length -= 2;
    upper.push(px, py);
  }
  lower.length -= 2;
  upper.length -= 2;
  const hull = lower.concat(upper);
  return hull.length === 0 ? [pts[0], pts[1]] : hull;
}

/**
 * Number of pixel centres inside (or on) the convex polygon `hull` (flat `[x0, y0, …]`, as
 * {@linkcode convexHull} returns; degenerate hulls of one or two points count the pixels on the point or
 * segment).
 */
export function convexArea(hull: number[]): number {
  const m = hull.length / 2;
  if (m === 0) return 0;
  let ymin = Infinity, ymax = -Infinity;
  for (let k = 0; k < m; k++) {
    const y = hull[2 * k + 1];
    if (y < ymin) ymin = y;
    if (y > ymax) ymax = y;
  }
  const eps = 1e-9;
  let count = 0;
  for (let y = Math.ceil(ymin - eps); y <= ymax + eps; y++) {
    let lo = Infinity, hi = -Infinity;
    for (let k = 0; k < m; k++) {
      const px = hull[2 * k], py = hull[2 * k + 1];
      const q = (k + 1) % m;
      const qx = hull[2 * q], qy = hull[2 * q + 1];
      if (py === qy) {
        if (Math.abs(py - y) <= eps) {
          lo = Math.min(lo, px, qx);
          hi = Math.max(hi, px, qx);
        }
      } else if (y >= Math.min(py, qy) - eps && y <= Math.max(py, qy) + eps) {
        const x = px + ((y - py) * (qx - px)) / (qy - py);
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
    }
    if (lo <= hi) count += Math.floor(hi + eps) - Math.ceil(lo - eps) + 1;
  }
  return count;
}

/**
 * All {@linkcode SHAPE_MEASURES} of the pixels set in `mask` (`S×S`), written to `out[offset…offset+8)`
 * in that order (see the module documentation for definitions and degenerate cases).
 *
 * @throws RangeError when the mask does not have `S×S` values.
 */
export function shapeFeatures(
  mask: Uint8Array,
  size: number,
  out: Float32Array | Float64Array = new Float64Array(SHAPE_MEASURES.length),
  offset = 0,
): Float32Array | Float64Array {
  const m = moments(mask, size);
  if (m.area === 0) {
    out[offset] = 0;
    out[offset + 1] = 0;
    for (let k = 2; k < SHAPE_MEASURES.length; k++) out[offset + k] = NaN;
    return out;
  }
  const perimeter = croftonPerimeter(mask, size);
  const half = (m.mu20 + m.mu02) / 2;
  const root = Math.sqrt(((m.mu20 - m.mu02) / 2) ** 2 + m.mu11 ** 2);
  const l1 = half + root, l2 = Math.max(0, half - root);
  let xmin = size, xmax = -1, ymin = size, ymax = -1;
  for (let y = 0, i = 0; y < size; y++) {
    for (let x = 0; x < size; x++, i++) {
      if (!mask[i]) continue;
      if (x < xmin) xmin = x;
      if (x > xmax) xmax = x;
      if (y < ymin) ymin = y;
      if (y > ymax) ymax = y;
    }
  }
  const hullArea = convexArea(convexHull(mask, size));
  out[offset] = m.area;
  out[offset + 1] = perimeter;
  out[offset + 2] = (4 * Math.PI * m.area) / (perimeter * perimeter);
  out[offset + 3] = l1 > 0 ? Math.sqrt(Math.max(0, 1 - l2 / l1)) : 0;
  out[offset + 4] = 4 * Math.sqrt(l1);
  out[offset + 5] = 4 * Math.sqrt(l2);
  out[offset + 6] = m.area / Math.max(m.area, hullArea);
  out[offset + 7] = m.area / ((xmax - xmin + 1) * (ymax - ymin + 1));
  return out;
}
