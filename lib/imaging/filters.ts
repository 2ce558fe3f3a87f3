/**
 * Smoothing filters on planar `Float32Array` images (row-major, `data[y * width + x]`).
 *
 * - {@linkcode gaussianBlur}: exact separable Gaussian (kernel radius 3σ, reflecting edges). The vertical
 *   pass runs over whole rows (cache friendly), so a 1280×1024 image with σ = 2 takes ~15 ms on one core.
 * - {@linkcode boxBlur}: running-sum box filter, O(1) per pixel whatever the radius; three passes
 *   approximate a Gaussian (central limit), used for the very large smoothing of illumination functions.
 * - {@linkcode medianFilter}: exact square-window median by sorting, for small (downsampled) images only.
 * - {@linkcode downsampleMean} / {@linkcode upsampleBilinear}: block means and bilinear resampling, so that
 *   heavy smoothing runs on a small image.
 *
 * Own typed-array code rather than image-js: image-js 1.x filters work on its `Image` class (integer
 * pixel data, a copy per call) and have no O(1) box filter; these stay in Float32 end to end.
 *
 * @module
 */

/** A single-channel float image. */
export interface FloatImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Row-major pixels. */
  data: Float32Array;
}

function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  while (i < 0 || i >= n) i = i < 0 ? -i - 1 : 2 * n - i - 1;
  return i;
}

/** A Float32 copy of `src` (fast path for typed arrays). */
export function toFloat32(src: ArrayLike<number>): Float32Array {
  if (ArrayBuffer.isView(src)) return new Float32Array(src as unknown as ArrayLike<number>);
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i];
  return out;
}

function checkSize(name: string, data: ArrayLike<number>, width: number, height: number): void {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`${name}: expected a positive integer width and height, got ${width}×${height}`);
  }
  if (data.length !== width * height) {
    throw new RangeError(
      `${name}: expected ${width * height} pixels for ${width}×${height}, got ${data.length}`,
    );
  }
}

/**
 * Separable Gaussian blur with standard deviation `sigma` (pixels), reflecting edges. Returns a new
 * array; `sigma` ≤ 0 returns a Float32 copy.
 */
export function gaussianBlur(
  src: ArrayLike<number>,
  width: number,
  height: number,
  sigma: number,
): Float32Array {
  checkSize("gaussianBlur", src, width, height);
  const n = width * height;
  const out = toFloat32(src);
  if (!(sigma > 0)) return out;
  const r = Math.max(1, Math.ceil(sigma * 3));
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  // Horizontal pass, row by row through a padded line buffer.
  const line = new Float32Array(width + 2 * r);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let i = 0; i < r; i++) {
      line[i] = out[o + reflect(i - r, width)];
      line[width + r + i] = out[o + reflect(width + i, width)];
    }
    line.set(out.subarray(o, o + width), r);
    for (let x = 0; x < width; x++) {
      // Symmetric kernel: fold the two halves (half the multiplications).
      let s = k[r] * line[x + r];
      for (let j = 0; j < r; j++) s += k[j] * (line[x + j] + line[x + 2 * r - j]);
      out[o + x] = s;
    }
  }
  // Vertical pass: each output row is a weighted sum of 2r+1 whole input rows (reflected at the edges).
  const tmp = new Float32Array(n);
  const kc = k[r];
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let x = 0; x < width; x++) tmp[o + x] = kc * out[o + x];
    for (let j = 0; j < r; j++) {
      const a = reflect(y + j - r, height) * width, b = reflect(y + r - j, height) * width;
      const kj = k[j];
      for (let x = 0; x < width; x++) tmp[o + x] += kj * (out[a + x] + out[b + x]);
    }
  }
  return tmp;
}

/** One box-filter pass of radius `r` along rows (horizontal) or columns, reflecting edges, into `dst`. */
function boxPass(
  src: Float32Array,
  dst: Float32Array,
  width: number,
  height: number,
  r: number,
  horizontal: boolean,
): void {
  const len = horizontal ? width : height;
  const lines = horizontal ? height : width;
  const step = horizontal ? 1 : width;
  const inv = 1 / (2 * r + 1);
  for (let l = 0; l < lines; l++) {
    const base = horizontal ? l * width : l;
    let s = 0;
    for (let i = -r; i <= r; i++) s += src[base + reflect(i, len) * step];
    for (let i = 0; i < len; i++) {
      dst[base + i * step] = s * inv;
      s += src[base + reflect(i + r + 1, len) * step] - src[base + reflect(i - r, len) * step];
    }
  }
}

/**
 * Box blur of radius `radius` (window 2r+1) repeated `passes` times (default 3), which approximates a
 * Gaussian of variance `passes·((2r+1)²−1)/12` (see {@linkcode boxRadiusForSigma}). O(1) per pixel per pass.
 */
export function boxBlur(
  src: ArrayLike<number>,
  width: number,
  height: number,
  radius: number,
  passes = 3,
): Float32Array {
  checkSize("boxBlur", src, width, height);
  const a = toFloat32(src);
  const r = Math.max(0, Math.round(radius));
  if (r === 0) return a;
  const b = new Float32Array(a.length);
  for (let p = 0; p < passes; p++) {
    boxPass(a, b, width, height, r, true);
    boxPass(b, a, width, height, r, false);
  }
  return a;
}

/** The box radius whose `passes`-fold box blur has the variance of a Gaussian with `sigma`. */
export function boxRadiusForSigma(sigma: number, passes = 3): number {
  return Math.max(0, Math.round((Math.sqrt((12 * sigma * sigma) / passes + 1) - 1) / 2));
}

/**
 * Exact median over a (2r+1)² window (reflecting edges). O(r² log r) per pixel: meant for small images
 * (e.g. a plate's mean image after {@linkcode downsampleMean}).
 */
export function medianFilter(
  src: ArrayLike<number>,
  width: number,
  height: number,
  radius: number,
): Float32Array {
  checkSize("medianFilter", src, width, height);
  const r = Math.max(0, Math.round(radius));
  const out = new Float32Array(width * height);
  const win = new Float32Array((2 * r + 1) * (2 * r + 1));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let k = 0;
      for (let dy = -r; dy <= r; dy++) {
        const row = reflect(y + dy, height) * width;
        for (let dx = -r; dx <= r; dx++) win[k++] = src[row + reflect(x + dx, width)];
      }
      win.sort();
      out[y * width + x] = win[k >> 1];
    }
  }
  return out;
}

/** Block means over `factor`×`factor` blocks (the last blocks may be partial). */
export function downsampleMean(
  src: ArrayLike<number>,
  width: number,
  height: number,
  factor: number,
): FloatImage {
  checkSize("downsampleMean", src, width, height);
  const f = Math.max(1, Math.floor(factor));
  const w = Math.ceil(width / f), h = Math.ceil(height / f);
  const sum = new Float64Array(w * h), cnt = new Float64Array(w * h);
  for (let y = 0; y < height; y++) {
    const oy = Math.floor(y / f) * w;
    for (let x = 0; x < width; x++) {
      const o = oy + Math.floor(x / f);
      sum[o] += src[y * width + x];
      cnt[o]++;
    }
  }
  const data = new Float32Array(w * h);
  for (let i = 0; i < data.length; i++) data[i] = sum[i] / cnt[i];
  return { width: w, height: h, data };
}

/**
 * Bilinear upsampling of a block-mean image made by {@linkcode downsampleMean} with `factor` back to
 * `width`×`height` (sample centres at block centres, clamped at the edges).
 */
export function upsampleBilinear(
  small: FloatImage,
  width: number,
  height: number,
  factor: number,
): Float32Array {
  const { width: w, height: h, data } = small;
  const out = new Float32Array(width * height);
  const f = Math.max(1, Math.floor(factor));
  const xs0 = new Int32Array(width), xs1 = new Int32Array(width), xt = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const gx = Math.min(w - 1, Math.max(0, (x + 0.5) / f - 0.5));
    xs0[x] = Math.floor(gx);
    xs1[x] = Math.min(w - 1, xs0[x] + 1);
    xt[x] = gx - xs0[x];
  }
  for (let y = 0; y < height; y++) {
    const gy = Math.min(h - 1, Math.max(0, (y + 0.5) / f - 0.5));
    const y0 = Math.floor(gy), y1 = Math.min(h - 1, y0 + 1), t = gy - y0;
    const r0 = y0 * w, r1 = y1 * w, o = y * width;
    for (let x = 0; x < width; x++) {
      const a = data[r0 + xs0[x]] * (1 - xt[x]) + data[r0 + xs1[x]] * xt[x];
      const b = data[r1 + xs0[x]] * (1 - xt[x]) + data[r1 + xs1[x]] * xt[x];
      out[o + x] = a * (1 - t) + b * t;
    }
  }
  return out;
}
