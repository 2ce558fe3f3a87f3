/**
 * The switches and thresholds of our kernels for the tfjs `wasm` backend ({@link tuning}): every kernel reads
 * them when it runs, so tests and the benchmark switch paths by assigning to it.
 *
 * @module
 */

/**
 * Switches and thresholds that pick between formulations (exported for tests and the benchmark, which force
 * each path, and for before/after timings). Chosen per shape from isolated kernel timings of every
 * convolution of 32 px (w = 0.25, 1) and 64 px (w = 1) batch-64 steps, alternating the forms in one process
 * (2 cores shared with other jobs, load 0.5–6):
 * - our SIMD kernels (filter gradient, forward and phase convolutions): faster than every other form at
 *   every shape of a 64 px step where the channels allow (filter gradients 35–49 GFLOP/s against 7–31,
 *   convolutions 39–44 against 30–37; `bench/results/train.json` `kernels`); the forms below are what runs
 *   where they do not (a channel count not a multiple of 4) or when they are switched off;
 * - filter gradient as im2colᵀ · dy GEMMs: faster only for G's stride-1 layers with Co ≥ 128 and
 *   OH·OW ≥ 64 per image (32 px w = 1: 8 × 8 → 256, 16 × 16 → 128: 8–9 % faster; 64 px: up to 1.5×); slower
 *   for G's 4 × 4 layer, thin layers (w = 0.25: 1.2–1.5×; Co = 3: 4–6×) and D's strided layers (mostly);
 * - im2col forward for ≤ 4 input channels: slower at every measured shape (1.2–1.7×): off;
 * - batch chunks of the dilated filter gradient (`filterChunkFloats`): no consistent gain: off.
 * The elementwise switches give bit-identical results; whole-step before/after in `bench/results/train.json`
 * `beforeAfter`.
 */
export const tuning = {
  /** filter gradients by our SIMD kernels (`filterGradSimd`, {@link ./filter_grad_simd.ts}) where Co or Ci is a multiple of 4 */
  simdFilterGrad: true,
  /** output pixels per call of those kernels at least */
  simdMinPixels: 32,
  /** forward convolutions (and the input gradient's phase convolutions) by our SIMD kernels (any Co) */
  simdConv: true,
  /** bytes of the filter per panel of output channels in those */
  simdPanelBytes: 1 << 18,
  /** filter gradients with at least this many output channels run as im2colᵀ · dy GEMMs (off: ∞) … */
  filterGemmMinCo: 128,
  /** … and at least this many output pixels per image … */
  filterGemmMinPixels: 64,
  /** … and, when true, stride 1 only (G's convolutions; D's strided ones lost or tied) */
  filterGemmStride1Only: true,
  /** forward convolutions with at most this many input channels run as im2col · filter GEMMs (off: 0) */
  im2colMaxCi: 0,
  /** floats of the GEMM operand that XNNPACK packs per chunk (kept within the L2 cache) */
  packedFloats: 1 << 17,
  /** at least this many GEMM rows per filter-gradient chunk (fewer partial results to sum) */
  minChunk: 1024,
  /** floats of the largest im2col chunk */
  chunkFloats: 1 << 20,
  /** filter gradients (dilated-convolution form) in batch chunks whose dyᵀ has at most this many floats (off: 0) */
  filterChunkFloats: 0,
  /** but at least this many images per chunk */
  filterChunkMinImages: 8,
  /** `Identity` (and `Cast` to the same dtype) shares its input's buffer instead of copying it */
  shareIdentity: true,
  /**
   * LeakyReLU's gradient reads x through a detached tensor (no second-order gradient flows back through the
   * forward pass that made x; it would be zeros): WGAN-GP's penalty skips a backward pass of D
   */
  detachedMask: true,
  /** `LeakyRelu` and its gradient as single branch-free passes */
  fusedLeakyRelu: true,
  /** `Sum` / `Mean` over leading axes as column sums, without the stock kernels' transpose */
  leadingReductions: true,
  /** Adam's update of a variable as one kernel (`ADAM_UPDATE`, {@link ./adam_update.ts}) instead of 12 */
  fusedAdam: true,
};
