/**
 * Synthetic single-cell crops for tests and benchmarks of the classical features: a few round cells
 * (a bright nucleus in the DNA channel, a cytoplasm disc in tubulin and actin) on a dim noisy background,
 * HWC with channels DNA, tubulin, actin, float values in about [0, 1]. Deterministic for a seed.
 *
 * @module
 */

/** One synthetic cell: centre, nucleus radius, cell radius (pixels) and channel brightnesses. */
export interface SyntheticCell {
  /** Centre column. */
  x: number;
  /** Centre row. */
  y: number;
  /** Nucleus radius. */
  nucleus: number;
  /** Cell radius. */
  cell: number;
  /** DNA brightness inside the nucleus (default 0.8). */
  dna?: number;
  /** Tubulin brightness in the cell (default 0.4). */
  tubulin?: number;
  /** Actin brightness in the cell (default 0.3). */
  actin?: number;
}

/** A small deterministic PRNG (mulberry32) returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Draws `cells` into a new `size×size×3` crop (or into `out` at `offset`). Background 0.02 in every
 * channel; `noise` adds uniform noise of that amplitude (default 0.02) from `rng`; the tubulin channel gets
 * a faint radial fibre texture so texture features have something to see.
 */
export function drawCells(
  size: number,
  cells: SyntheticCell[],
  options: { noise?: number; rng?: () => number; out?: Float32Array; offset?: number } = {},
): Float32Array {
  const out = options.out ?? new Float32Array(size * size * 3);
  const base = options.offset ?? 0;
  const noise = options.noise ?? 0.02;
  const rng = options.rng ?? mulberry32(1);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let d = 0.02, t = 0.02, a = 0.02;
      for (const c of cells) {
        const r = Math.hypot(x - c.x, y - c.y);
        if (r <= c.nucleus) d = Math.max(d, c.dna ?? 0.8);
        if (r <= c.cell) {
          const fibre = 0.15 * Math.cos(6 * Math.atan2(y - c.y, x - c.x));
          t = Math.max(t, (c.tubulin ?? 0.4) * (1 + fibre));
          a = Math.max(a, (c.actin ?? 0.3) * (0.6 + 0.4 * r / c.cell));
        }
      }
      const i = base + (y * size + x) * 3;
      out[i] = d + noise * rng();
      out[i + 1] = t + noise * rng();
      out[i + 2] = a + noise * rng();
    }
  }
  return out;
}

/**
 * `count` crops of side `size`, `[N, S, S, 3]` flat: each a centre cell of random size and brightness
 * (nucleus ≈ S/7, cell ≈ S/3) with 0–3 neighbours partly in view, deterministic for `seed`.
 */
export function syntheticCropBatch(count: number, size: number, seed = 1): Float32Array {
  const rng = mulberry32(seed);
  const out = new Float32Array(count * size * size * 3);
  const c = (size - 1) / 2;
  for (let i = 0; i < count; i++) {
    const cells: SyntheticCell[] = [];
    const rn = size / 7 * (0.8 + 0.4 * rng()), rc = size / 3.2 * (0.8 + 0.4 * rng());
    cells.push({
      x: c + rng() - 0.5,
      y: c + rng() - 0.5,
      nucleus: rn,
      cell: rc,
      dna: 0.6 + 0.4 * rng(),
      tubulin: 0.3 + 0.2 * rng(),
      actin: 0.2 + 0.2 * rng(),
    });
    const neighbours = Math.floor(rng() * 4);
    for (let k = 0; k < neighbours; k++) {
      const angle = 2 * Math.PI * rng(), dist = size * (0.45 + 0.15 * rng());
      cells.push({ x: c + dist * Math.cos(angle), y: c + dist * Math.sin(angle), nucleus: rn, cell: rc });
    }
    drawCells(size, cells, { rng, out, offset: i * size * size * 3 });
  }
  return out;
}
