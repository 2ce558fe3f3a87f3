/**
 * Renders one synthetic MCF7 field of view (DNA, tubulin, actin) with its
 * ground-truth nucleus and cell label masks. Cells are drawn into their own
 * bounding boxes (never whole-image loops per cell); the field then gets the
 * batch's optics and camera: blur, illumination vignette, gain, background,
 * Poisson plus read noise and 12-bit quantisation (values are multiples of 16,
 * as in BBBC021's 16-bit files).
 *
 * @module
 */

import { Rng } from "./rng.ts";
import { applyShift, DMSO_PHENOTYPE, type PhenotypeParams, type TreatmentEffect } from "./phenotypes.ts";

/** Acquisition effects of one batch (week) and plate; see {@linkcode makeBatchEffect}. */
export interface BatchEffect {
  /** Per-channel multiplicative gain (DNA, tubulin, actin). */
  gain: [number, number, number];
  /** Per-channel background level in 16-bit counts. */
  background: [number, number, number];
  /** Illumination fall-off at the corners (0 = flat, 0.3 = 30 % darker). */
  vignette: number;
  /** Vignette centre offset as a fraction of the size. */
  vignetteCentre: [number, number];
  /** Extra Gaussian blur sigma in pixels (on top of the optics' 0.7). */
  blur: number;
  /** Read noise sd in 16-bit counts. */
  readNoise: number;
  /** Relative cell density of this batch (seeding differences). */
  density: number;
}

/**
 * Draws a batch effect. `strength` scales how different batches are (0 = all
 * identical, 1 = default).
 */
export function makeBatchEffect(rng: Rng, strength = 1): BatchEffect {
  const g = () => Math.exp(rng.normal(0, 0.13 * strength));
  return {
    gain: [g(), g(), g()],
    background: [620, 780, 800].map((b) => Math.max(100, b + rng.normal(0, 70 * strength))) as [
      number,
      number,
      number,
    ],
    vignette: Math.max(0, 0.12 + strength * rng.range(-0.08, 0.16)),
    vignetteCentre: [0.5 + strength * rng.range(-0.12, 0.12), 0.5 + strength * rng.range(-0.12, 0.12)],
    blur: Math.max(0, strength * rng.range(-0.2, 1.0)),
    readNoise: 22 + strength * rng.range(0, 18),
    density: Math.exp(rng.normal(0, 0.12 * strength)),
  };
}

/** Multiplies a batch effect's gains and density by small plate-level factors. */
export function plateEffect(batch: BatchEffect, rng: Rng, strength = 1): BatchEffect {
  return {
    ...batch,
    gain: batch.gain.map((v) => v * Math.exp(rng.normal(0, 0.05 * strength))) as [number, number, number],
    density: batch.density * Math.exp(rng.normal(0, 0.06 * strength)),
  };
}

/** What to render. */
export interface RenderFieldSpec {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Seed of this field (fields are independent). */
  seed: number;
  /** The treatment's effect (DMSO: strength 0). */
  effect: TreatmentEffect;
  /** Acquisition effects. */
  batch: BatchEffect;
  /** Expected cells in a 512×512 field at density 1 (default 70). */
  cellsPer512?: number;
  /** Pixel scale: 1 = BBBC021's 20× (nucleus ≈ 25 px across); 0.5 halves all sizes. */
  pixelScale?: number;
  /** Extra multiplier on cell density. */
  density?: number;
}

/** A rendered field with ground truth. */
export interface RenderedField {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** DNA, tubulin, actin, 16-bit counts (multiples of 16). */
  channels: [Uint16Array, Uint16Array, Uint16Array];
  /** Cell label mask, 0 = background, 1..cellCount. */
  cells: Uint16Array;
  /** Nucleus label mask; a nucleus has its cell's label (a cell's several nuclei share it). */
  nuclei: Uint16Array;
  /** Number of cells with at least one pixel in the field. */
  cellCount: number;
  /** Cells by kind. */
  kinds: { interphase: number; mitotic: number; monopolar: number };
}

const A_DNA = 4300;
const A_TUB = 2200;
const A_ACT = 2900;
const TEX = 256;
const TEX_MASK = TEX - 1;
const FIL_BINS = 128;
const HARM_BINS = 64;

let texCache: Float32Array | undefined;

/** A fixed, tileable 256×256 value-noise texture in about [-1, 1] (fine and coarse octaves). */
function texture(): Float32Array {
  if (texCache) return texCache;
  const rng = new Rng(0x7e57);
  const t = new Float32Array(TEX * TEX);
  const octave = (period: number, amp: number) => {
    const g = TEX / period;
    const grid = new Float32Array(g * g);
    for (let i = 0; i < grid.length; i++) grid[i] = rng.uniform() * 2 - 1;
    for (let y = 0; y < TEX; y++) {
      const gy = y / period, y0 = Math.floor(gy), fy = gy - y0, sy = fy * fy * (3 - 2 * fy);
      for (let x = 0; x < TEX; x++) {
        const gx = x / period, x0 = Math.floor(gx), fx = gx - x0, sx = fx * fx * (3 - 2 * fx);
        const a = grid[(y0 % g) * g + (x0 % g)], b = grid[(y0 % g) * g + ((x0 + 1) % g)];
        const c = grid[((y0 + 1) % g) * g + (x0 % g)], d = grid[((y0 + 1) % g) * g + ((x0 + 1) % g)];
        t[y * TEX + x] += amp * ((a * (1 - sx) + b * sx) * (1 - sy) + (c * (1 - sx) + d * sx) * sy);
      }
    }
  };
  octave(2, 0.35);
  octave(4, 0.45);
  octave(16, 0.5);
  let max = 0;
  for (const v of t) max = Math.max(max, Math.abs(v));
  for (let i = 0; i < t.length; i++) t[i] /= max;
  texCache = t;
  return t;
}

type Kind = 0 | 1 | 2; // interphase, mitotic, monopolar

interface Body {
  x: number;
  y: number;
  r: number;
  aspect: number;
  cos: number;
  sin: number;
  bright: number;
  harm: Float32Array | null;
}

interface Spot {
  x: number;
  y: number;
  s2: number; // 2σ²
  amp: number;
  ch: number; // 1 tubulin, 2 actin
}

interface Cell {
  x: number;
  y: number;
  R: number;
  aspect: number;
  cos: number;
  sin: number;
  rLut: Float32Array;
  kind: Kind;
  bodies: Body[];
  p: PhenotypeParams;
  fil: Float32Array;
  twist: number;
  sfCos: number;
  sfSin: number;
  sfFreq: number;
  sfPhase: number;
  spots: Spot[];
  tex: number;
  dnaBright: number;
  cyto: number;
  spindle: number; // mitotic spindle axis angle
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

function harmonicLut(rng: Rng, bins: number, amp: number, orders: number): Float32Array {
  const lut = new Float32Array(bins);
  const a: number[] = [], ph: number[] = [];
  for (let k = 2; k < 2 + orders; k++) {
    a.push(amp * rng.normal(0, 1) / k);
    ph.push(rng.range(0, 2 * Math.PI));
  }
  for (let b = 0; b < bins; b++) {
    const t = (b / bins) * 2 * Math.PI;
    let v = 1;
    for (let i = 0; i < a.length; i++) v += a[i] * Math.cos((i + 2) * t + ph[i]);
    lut[b] = Math.max(0.55, v);
  }
  return lut;
}

function filamentLut(rng: Rng, n: number, width: number): Float32Array {
  const lut = new Float32Array(FIL_BINS);
  for (let i = 0; i < n; i++) {
    const c = rng.range(0, FIL_BINS), amp = rng.range(0.4, 1), s2 = 2 * width * width;
    for (let d = -4; d <= 4; d++) {
      const b = Math.floor(c) + d;
      const dist = b - c;
      lut[((b % FIL_BINS) + FIL_BINS) % FIL_BINS] += amp * Math.exp(-(dist * dist) / s2);
    }
  }
  let max = 0;
  for (const v of lut) max = Math.max(max, v);
  for (let b = 0; b < FIL_BINS; b++) lut[b] = Math.min(1, lut[b] / (max * 0.8));
  return lut;
}

function lognormal(rng: Rng, sd: number): number {
  return Math.exp(rng.normal(0, sd));
}

function makeCell(rng: Rng, x: number, y: number, p: PhenotypeParams, kind: Kind, scale: number): Cell {
  const theta = rng.range(0, Math.PI);
  let R = 27 * scale * p.cellSize * lognormal(rng, 0.14);
  let aspect = Math.exp(
    Math.abs(rng.normal(0, 0.18)) + 0.12 + Math.max(-0.12, p.cellElongation) * rng.range(0.6, 1.3),
  );
  let irregular = 0.22 * p.cellIrregularity;
  const rn0 = 11.5 * scale * p.nucleusSize * lognormal(rng, 0.1);
  const bodies: Body[] = [];
  const dnaBright = p.dnaBrightness * lognormal(rng, 0.14);
  const cyto = p.cytoBrightness * lognormal(rng, 0.2);
  const spots: Spot[] = [];
  if (kind !== 0) {
    // Rounded-up mitotic cell.
    R = Math.max(rn0 * 1.25, R * 0.62);
    aspect = 1 + Math.abs(rng.normal(0, 0.05));
    irregular = 0.03;
  }
  const cos = Math.cos(theta), sin = Math.sin(theta);
  const off = kind === 0 ? rng.range(0, 0.22) * R : 0, offA = rng.range(0, 2 * Math.PI);
  const nx = x + off * Math.cos(offA), ny = y + off * Math.sin(offA);
  const spindle = rng.range(0, Math.PI);
  if (kind === 1) {
    // Condensed chromosomes: a metaphase plate (elongated) or a prometaphase blob.
    const plate = rng.chance(0.6);
    const a = plate ? rng.range(2.0, 3.0) : rng.range(1.0, 1.3);
    bodies.push({
      x: nx,
      y: ny,
      r: rn0 * (plate ? 0.62 : 0.55),
      aspect: a,
      cos: Math.cos(spindle + Math.PI / 2),
      sin: Math.sin(spindle + Math.PI / 2),
      bright: 2.1,
      harm: harmonicLut(rng, HARM_BINS, 0.25, 4),
    });
  } else if (kind === 2) {
    bodies.push({
      x: nx,
      y: ny,
      r: rn0 * 0.85,
      aspect: 1.05,
      cos: 1,
      sin: 0,
      bright: 2.0,
      harm: harmonicLut(rng, HARM_BINS, 0.15, 4),
    });
  } else {
    const u = rng.uniform();
    const na = Math.exp(Math.abs(rng.normal(0, 0.12)) + 0.08);
    const nTheta = theta + rng.normal(0, 0.4);
    const ncos = Math.cos(nTheta), nsin = Math.sin(nTheta);
    if (u < p.polyploid) {
      R *= 1.45;
      bodies.push({
        x: nx,
        y: ny,
        r: rn0 * 1.6,
        aspect: na,
        cos: ncos,
        sin: nsin,
        bright: 1.1,
        harm: harmonicLut(rng, HARM_BINS, 0.35, 3),
      });
    } else if (u < p.polyploid + p.binucleate) {
      R *= 1.25;
      aspect = Math.max(aspect, 1.3);
      for (const s of [-1, 1]) {
        bodies.push({
          x: nx + s * cos * rn0 * 1.05,
          y: ny + s * sin * rn0 * 1.05,
          r: rn0 * 0.92,
          aspect: na,
          cos: ncos,
          sin: nsin,
          bright: 1,
          harm: harmonicLut(rng, HARM_BINS, 0.1, 3),
        });
      }
    } else if (u < p.polyploid + p.binucleate + p.micronuclei) {
      const n = 3 + rng.int(5);
      for (let i = 0; i < n; i++) {
        const a = rng.range(0, 2 * Math.PI), d = rng.range(0.2, 1.25) * rn0;
        bodies.push({
          x: nx + d * Math.cos(a),
          y: ny + d * Math.sin(a),
          r: rn0 * rng.range(0.3, 0.6),
          aspect: 1 + Math.abs(rng.normal(0, 0.15)),
          cos: 1,
          sin: 0,
          bright: rng.range(1.1, 1.5),
          harm: null,
        });
      }
      R *= 1.1;
    } else {
      bodies.push({
        x: nx,
        y: ny,
        r: rn0,
        aspect: na,
        cos: ncos,
        sin: nsin,
        bright: 1,
        harm: harmonicLut(rng, HARM_BINS, 0.12, 3),
      });
    }
  }
  // Actin aggregates and a perinuclear aggresome.
  if (p.actinAggregates > 0.05 && kind === 0) {
    const n = Math.round(p.actinAggregates * rng.range(3, 9));
    for (let i = 0; i < n; i++) {
      const a = rng.range(0, 2 * Math.PI), d = rng.range(0.45, 0.9) * R;
      const s = rng.range(1.2, 2.6) * scale;
      spots.push({
        x: x + d * Math.cos(a),
        y: y + d * Math.sin(a),
        s2: 2 * s * s,
        amp: A_ACT * rng.range(2, 4.5),
        ch: 2,
      });
    }
  }
  if (p.aggresome > 0.05 && kind === 0) {
    const a = rng.range(0, 2 * Math.PI), b = bodies[0], d = b.r * rng.range(1.0, 1.35);
    const s = rn0 * rng.range(0.28, 0.42);
    const amp = A_TUB * p.aggresome * rng.range(1.8, 2.8);
    spots.push({ x: b.x + d * Math.cos(a), y: b.y + d * Math.sin(a), s2: 2 * s * s, amp, ch: 1 });
    spots.push({ x: b.x + d * Math.cos(a), y: b.y + d * Math.sin(a), s2: 2 * s * s, amp: amp * 0.3, ch: 2 });
  }
  const sfA = theta + rng.normal(0, 0.3);
  const bundles = p.tubulinBundles > 0.3;
  const cell: Cell = {
    x,
    y,
    R,
    aspect,
    cos,
    sin,
    rLut: harmonicLut(rng, HARM_BINS, irregular, 5),
    kind,
    bodies,
    p,
    fil: filamentLut(rng, bundles ? 14 + rng.int(8) : 55 + rng.int(30), bundles ? 1.3 : 0.5),
    twist: rng.normal(0, 0.06) * FIL_BINS,
    sfCos: Math.cos(sfA),
    sfSin: Math.sin(sfA),
    sfFreq: (2 * Math.PI) / (rng.range(4.5, 7) * scale),
    sfPhase: rng.range(0, 2 * Math.PI),
    spots,
    tex: rng.int(TEX * TEX),
    dnaBright,
    cyto,
    spindle,
    x0: 0,
    x1: 0,
    y0: 0,
    y1: 0,
  };
  let ext = R * aspect * 1.5 + 2;
  for (const b of bodies) ext = Math.max(ext, Math.hypot(b.x - x, b.y - y) + b.r * b.aspect * 1.3 + 2);
  cell.x0 = Math.floor(x - ext);
  cell.x1 = Math.ceil(x + ext);
  cell.y0 = Math.floor(y - ext);
  cell.y1 = Math.ceil(y + ext);
  return cell;
}

/** Normalised distance of (px, py) to a cell's outline (0 centre, 1 edge). */
function cellDistance(c: Cell, px: number, py: number): number {
  const dx = px - c.x, dy = py - c.y;
  const u = (dx * c.cos + dy * c.sin) / c.aspect, v = (-dx * c.sin + dy * c.cos) * c.aspect;
  const rho = Math.sqrt(u * u + v * v);
  if (rho === 0) return 0;
  const a = fastAtan2(v, u);
  const bin = ((Math.floor(((a + Math.PI) / (2 * Math.PI)) * HARM_BINS) % HARM_BINS) + HARM_BINS) % HARM_BINS;
  return rho / (c.R * c.rLut[bin]);
}

/** Normalised distance to the nearest nucleus body and its index. */
function bodyDistance(b: Body, px: number, py: number): number {
  const dx = px - b.x, dy = py - b.y;
  const u = (dx * b.cos + dy * b.sin) / b.aspect, v = (-dx * b.sin + dy * b.cos) * b.aspect;
  const rho = Math.sqrt(u * u + v * v);
  if (!b.harm || rho === 0) return rho / b.r;
  const a = fastAtan2(v, u);
  const bin = Math.floor(((a + Math.PI) / (2 * Math.PI)) * HARM_BINS) & (HARM_BINS - 1);
  return rho / (b.r * b.harm[bin]);
}

/** atan2 with |error| < 1e-5 rad (polynomial); much faster than Math.atan2 in hot loops. */
export function fastAtan2(y: number, x: number): number {
  const ax = x < 0 ? -x : x, ay = y < 0 ? -y : y;
  const mx = ax > ay ? ax : ay, mn = ax > ay ? ay : ax;
  if (mx === 0) return 0;
  const a = mn / mx, s = a * a;
  let r = ((((-0.0134804 * s + 0.0574773) * s - 0.1212390) * s + 0.1956359) * s - 0.3329946) * s * a +
    0.9999956 * a;
  if (ay > ax) r = 1.5707963267948966 - r;
  if (x < 0) r = 3.141592653589793 - r;
  return y < 0 ? -r : r;
}

function smooth(e0: number, e1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
}

/** Places cell centres: clusters of touching cells plus scattered ones, then pushes overlapping cells apart. */
function placeCells(
  rng: Rng,
  n: number,
  w: number,
  h: number,
  clustering: number,
  radius: number,
): [number, number][] {
  const pts: [number, number][] = [];
  const clusterSize = 4 + 14 * clustering;
  const k = Math.max(1, Math.round(n / clusterSize));
  const centres: [number, number][] = [];
  for (let i = 0; i < k; i++) centres.push([rng.range(-0.05, 1.05) * w, rng.range(-0.05, 1.05) * h]);
  const scatter = Math.max(0, 1 - clustering) * 0.85;
  for (let i = 0; i < n; i++) {
    if (rng.chance(scatter)) {
      pts.push([rng.range(0, w), rng.range(0, h)]);
    } else {
      const [cx, cy] = rng.pick(centres);
      const sd = radius * Math.sqrt(clusterSize) * 0.75;
      pts.push([cx + rng.normal(0, sd), cy + rng.normal(0, sd)]);
    }
  }
  // Repulsion: neighbours end about 1.7 radii apart (touching, slightly overlapping territories).
  const minD = radius * (1.15 + 0.5 * clustering), minD2 = minD * minD;
  for (let it = 0; it < 12; it++) {
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const dx = pts[j][0] - pts[i][0], dy = pts[j][1] - pts[i][1];
        const d2 = dx * dx + dy * dy;
        if (d2 < minD2) {
          const d = Math.sqrt(d2) || 0.01;
          const push = (minD - d) * 0.5;
          const ux = d2 === 0 ? 1 : dx / d, uy = d2 === 0 ? 0 : dy / d;
          pts[i][0] -= ux * push;
          pts[i][1] -= uy * push;
          pts[j][0] += ux * push;
          pts[j][1] += uy * push;
        }
      }
    }
  }
  return pts;
}

/**
 * Renders one field. Deterministic for `spec` (the seed fixes every random draw).
 *
 * @example
 * ```ts
 * const f = renderField({ width: 256, height: 256, seed: 1, effect: treatmentEffect(1, "DMSO", 0),
 *   batch: makeBatchEffect(new Rng(1)) });
 * f.cellCount; // about 17
 * ```
 */
export function renderField(spec: RenderFieldSpec): RenderedField {
  const { width: W, height: H, effect, batch } = spec;
  const scale = spec.pixelScale ?? 1;
  const rng = new Rng(spec.seed);
  const tex = texture();
  const n = W * H;
  // Population-level parameters (density and clustering act on the field, not on single cells).
  const responding = 1 - effect.nonResponders;
  const pop = applyShift(effect.shift, effect.strength * responding);
  const expected = (spec.cellsPer512 ?? 90) * (n / (512 * 512)) / (scale * scale) * pop.density *
    batch.density *
    (spec.density ?? 1) * lognormal(rng, 0.15);
  const count = Math.min(4000, rng.poisson(expected));
  const baseR = 27 * scale * Math.sqrt(pop.cellSize);
  const centres = placeCells(rng, count, W, H, pop.clustering, baseR);
  const cells: Cell[] = [];
  const kinds = { interphase: 0, mitotic: 0, monopolar: 0 };
  for (const [x, y] of centres) {
    const responds = effect.strength > 0 && rng.uniform() >= effect.nonResponders;
    const s = responds ? effect.strength * rng.range(0.6, 1.3) : 0;
    const p = s > 0 ? applyShift(effect.shift, s) : { ...DMSO_PHENOTYPE };
    const u = rng.uniform();
    const kind: Kind = u < p.monopolar ? 2 : u < p.monopolar + p.mitotic ? 1 : 0;
    cells.push(makeCell(rng, x, y, p, kind, scale));
  }
  // Mitotic cells sit on top (they round up): draw them last in the territory pass.
  cells.sort((a, b) => a.kind === 0 ? (b.kind === 0 ? 0 : -1) : (b.kind === 0 ? 1 : 0));

  // Pass 1: territories. Nucleus pixels get negative scores so a cell always keeps its own nucleus.
  const best = new Float32Array(n).fill(Infinity);
  const label = new Uint16Array(n);
  // The winning cell's outline distance, nucleus distance and nearest nucleus body, kept for pass 2.
  const qBuf = new Float32Array(n), dnBuf = new Float32Array(n), bodyBuf = new Uint8Array(n);
  for (let ci = 0; ci < cells.length; ci++) {
    const c = cells[ci];
    const id = ci + 1;
    const x0 = Math.max(0, c.x0),
      x1 = Math.min(W - 1, c.x1),
      y0 = Math.max(0, c.y0),
      y1 = Math.min(H - 1, c.y1);
    const round = c.kind !== 0;
    const nb = c.bodies.length;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const q = cellDistance(c, x, y);
        let dn = Infinity, bi = 0;
        for (let k = 0; k < nb; k++) {
          const e = bodyDistance(c.bodies[k], x, y);
          if (e < dn) {
            dn = e;
            bi = k;
          }
        }
        let d = q;
        if (dn < 1) d = dn - (round ? 3 : 2);
        else if (round && d < 1) d -= 1.0; // rounded mitotic cells lie on top of their neighbours
        if (d < 1) {
          const p = y * W + x;
          if (d < best[p]) {
            best[p] = d;
            label[p] = id;
            qBuf[p] = q;
            dnBuf[p] = dn;
            bodyBuf[p] = bi;
          }
        }
      }
    }
  }

  // Pass 2: intensities.
  const dna = new Float32Array(n), tub = new Float32Array(n), act = new Float32Array(n);
  const nuclei = new Uint16Array(n);
  for (let ci = 0; ci < cells.length; ci++) {
    const c = cells[ci];
    const id = ci + 1;
    const p = c.p;
    const x0 = Math.max(0, c.x0),
      x1 = Math.min(W - 1, c.x1),
      y0 = Math.max(0, c.y0),
      y1 = Math.min(H - 1, c.y1);
    const b0 = c.bodies[0];
    const tx = c.tex % TEX, ty = Math.floor(c.tex / TEX);
    const diffuse = p.tubulinDiffuse;
    const cyto = c.cyto;
    const mitotic = c.kind !== 0;
    const spCos = Math.cos(c.spindle), spSin = Math.sin(c.spindle);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const pi = y * W + x;
        if (label[pi] !== id) continue;
        const q = qBuf[pi], dn = dnBuf[pi], bb = c.bodies[bodyBuf[pi]];
        const t1 = tex[((y + ty) & TEX_MASK) * TEX + ((x + tx) & TEX_MASK)];
        const t2 = tex[((y + ty + 97) & TEX_MASK) * TEX + ((x + tx + 31) & TEX_MASK)];
        const edge = mitotic ? smooth(0, 0.12, 1 - q) : smooth(0, 0.07, 1 - q);
        // DNA
        if (dn < 1.05) {
          const e = smooth(0, 0.2, 1 - dn);
          let v: number;
          if (c.kind === 2) {
            const ang = fastAtan2(y - bb.y, x - bb.x);
            const lobes = 0.55 + 0.45 * Math.cos(ang * 9 + t1 * 2);
            v = 2.1 * Math.exp(-((dn - 0.62) * (dn - 0.62)) / 0.05) * lobes * (0.8 + 0.4 * t2);
          } else if (c.kind === 1) {
            v = bb.bright * (0.55 + 0.6 * Math.max(0, t1 + 0.3)) * e;
          } else {
            const nucleolus = t2 > 0.45 ? 0.72 : 1;
            v = bb.bright * (0.75 + 0.3 * t1 + 0.12 * (1 - dn * dn)) * nucleolus * e;
          }
          dna[pi] = A_DNA * c.dnaBright * v;
          if (dn < 1) nuclei[pi] = id;
        }
        // Tubulin
        let tv: number;
        if (c.kind === 1) {
          // Spindle: two poles along the spindle axis, fibres between them (none when microtubules are gone).
          const dx = x - c.x, dy = y - c.y;
          const along = (dx * spCos + dy * spSin) / c.R, across = (-dx * spSin + dy * spCos) / c.R;
          const pole = Math.exp(-(((Math.abs(along) - 0.5) ** 2) + across * across) / 0.03);
          const fib = Math.exp(-(across * across) / (0.05 + 0.25 * (0.5 - Math.min(0.5, Math.abs(along))))) *
            (Math.abs(along) < 0.5 ? 1 : 0);
          const spindle = (1 - diffuse) * (1.6 * pole + 0.6 * fib);
          tv = (0.75 + spindle + 0.1 * t1) * edge;
        } else if (c.kind === 2) {
          const dx = x - b0.x, dy = y - b0.y;
          const r = Math.sqrt(dx * dx + dy * dy) / b0.r;
          const a = fastAtan2(dy, dx);
          const spikes = c.fil[Math.floor(((a + Math.PI) / (2 * Math.PI)) * FIL_BINS) & (FIL_BINS - 1)];
          tv = (0.7 + (1 - diffuse) * (2.2 * Math.exp(-r * r / 0.12) + 0.8 * spikes * Math.exp(-r / 0.6))) *
            edge;
        } else {
          const under = dn < 1 ? 0.45 : 1;
          const dd = Math.max(dn, 1) - 1;
          const halo = p.tubulinHalo * Math.exp(-dd / 0.9);
          const a = fastAtan2(y - b0.y, x - b0.x);
          const bin = Math.floor(((a + Math.PI) / (2 * Math.PI)) * FIL_BINS + c.twist * dd) & (FIL_BINS - 1);
          // Two filament families with opposite twist cross into a mesh.
          const bin2 = Math.floor(((a + Math.PI) / (2 * Math.PI)) * FIL_BINS - c.twist * dd + 41) &
            (FIL_BINS - 1);
          const f = Math.max(c.fil[bin], 0.8 * c.fil[bin2]);
          const fil = Math.max(
            0.15,
            1 + p.tubulinFilaments * 0.75 * (f - 0.45 + 0.35 * t1) * Math.min(1, dd * 2 + 0.2),
          );
          const pattern = (0.3 + halo) * fil * (0.9 + 0.2 * t2);
          tv = ((1 - diffuse) * pattern + diffuse * (0.75 + 0.08 * t1)) * under * edge;
          if (p.tubulinBundles > 0) {
            const ring = Math.exp(-((q - 0.8) ** 2) / 0.008) *
              (0.4 + 0.6 * c.fil[(bin + 17) & (FIL_BINS - 1)]);
            tv += p.tubulinBundles * (1.5 * f * f * Math.min(1, dd * 1.5) + 1.2 * ring) * under * edge;
          }
        }
        tub[pi] = A_TUB * cyto * tv;
        // Actin
        let av: number;
        if (mitotic) {
          av = (0.7 + 0.12 * t1 + 1.3 * Math.exp(-((1 - q) ** 2) / 0.01)) * edge;
        } else {
          const cortex = p.actinCortex * Math.exp(-((1 - q) ** 2) / 0.006);
          let sf = 0;
          if (p.stressFibres > 0.01 && q > 0.2) {
            const s = Math.sin((x * c.sfSin - y * c.sfCos) * c.sfFreq + c.sfPhase + t1 * 0.8);
            const s2 = s > 0 ? s * s : 0;
            sf = p.stressFibres * s2 * s2 * s2 * 2.2 * smooth(0.2, 0.45, q) * (dn < 1 ? 0.5 : 1);
          }
          av = (0.55 + 0.15 * t1 + 1.3 * cortex + sf) * edge;
        }
        act[pi] = A_ACT * cyto * av;
        // Spots (actin aggregates, aggresome).
        for (const s of c.spots) {
          const dx = x - s.x, dy = y - s.y, d2 = dx * dx + dy * dy;
          if (d2 < s.s2 * 4.5) {
            const v = s.amp * Math.exp(-d2 / s.s2) * edge;
            if (s.ch === 1) tub[pi] += v;
            else act[pi] += v;
          }
        }
      }
    }
    if (c.kind === 0) kinds.interphase++;
    else if (c.kind === 1) kinds.mitotic++;
    else kinds.monopolar++;
  }
  // Cell-cell junctions: cortical actin where two cells touch.
  for (let y = 0; y < H - 1; y++) {
    for (let x = 0; x < W - 1; x++) {
      const pi = y * W + x;
      const l = label[pi];
      const r = label[pi + 1], d = label[pi + W];
      if (l !== 0 && ((r !== 0 && r !== l) || (d !== 0 && d !== l))) {
        const other = r !== 0 && r !== l ? r : d;
        const k = A_ACT * 0.9 * (cells[l - 1].p.actinCortex + cells[other - 1].p.actinCortex) * 0.5 *
          (cells[l - 1].cyto + cells[other - 1].cyto) * 0.5;
        act[pi] += k;
        act[other === r ? pi + 1 : pi + W] += k;
      }
    }
  }

  // Optics: blur (PSF 0.7 px plus the batch's defocus).
  const sigma = Math.sqrt(0.49 + batch.blur * batch.blur) * Math.max(0.5, scale);
  for (const ch of [dna, tub, act]) gaussianBlur(ch, W, H, sigma);

  // Illumination, gain, background, noise, quantisation.
  const out: [Uint16Array, Uint16Array, Uint16Array] = [
    new Uint16Array(n),
    new Uint16Array(n),
    new Uint16Array(n),
  ];
  const z = new Float32Array(n);
  const vc = batch.vignetteCentre;
  const vign = new Float32Array(n);
  const norm = 1 / (0.5 * 0.5 * 2);
  for (let y = 0; y < H; y++) {
    const dy = y / H - vc[1];
    for (let x = 0; x < W; x++) {
      const dx = x / W - vc[0];
      vign[y * W + x] = 1 - batch.vignette * (dx * dx + dy * dy) * norm;
    }
  }
  const read2 = batch.readNoise * batch.readNoise;
  const chans = [dna, tub, act];
  for (let c = 0; c < 3; c++) {
    rng.fillNormal(z);
    const src = chans[c], dst = out[c], g = batch.gain[c], bg = batch.background[c];
    for (let i = 0; i < n; i++) {
      const v = vign[i];
      const mean = bg * (0.6 + 0.4 * v) + src[i] * g * v;
      // Poisson (2 counts per photo-electron) plus read noise, as one Gaussian.
      let s = mean + Math.sqrt(mean * 2 + read2) * z[i];
      s = Math.round(s / 16) * 16;
      dst[i] = s < 0 ? 0 : s > 65520 ? 65520 : s;
    }
  }

  // Relabel to 1..cellCount in raster order of first appearance.
  const map = new Uint16Array(cells.length + 1);
  let next = 0;
  for (let i = 0; i < n; i++) {
    const l = label[i];
    if (l !== 0 && map[l] === 0) map[l] = ++next;
  }
  for (let i = 0; i < n; i++) {
    label[i] = map[label[i]];
    nuclei[i] = map[nuclei[i]];
  }
  return { width: W, height: H, channels: out, cells: label, nuclei, cellCount: next, kinds };
}

/** In-place separable Gaussian blur (reflecting edges). */
export function gaussianBlur(data: Float32Array, w: number, h: number, sigma: number): void {
  if (sigma < 0.2) return;
  const r = Math.max(1, Math.ceil(sigma * 2.5));
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  const line = new Float32Array(Math.max(w, h) + 2 * r);
  const refl = (i: number, n: number) => (i < 0 ? -i - 1 : i >= n ? 2 * n - i - 1 : i);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let i = -r; i < w + r; i++) line[i + r] = data[o + refl(i, w)];
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let j = 0; j < k.length; j++) s += k[j] * line[x + j];
      data[o + x] = s;
    }
  }
  for (let x = 0; x < w; x++) {
    for (let i = -r; i < h + r; i++) line[i + r] = data[refl(i, h) * w + x];
    for (let y = 0; y < h; y++) {
      let s = 0;
      for (let j = 0; j < k.length; j++) s += k[j] * line[y + j];
      data[y * w + x] = s;
    }
  }
}
