/**
 * `Sum` / `Mean` over leading axes (bias gradients, batch-norm moments) on the tfjs `wasm` backend as column
 * sums, without the stock kernels' transpose; bit for bit the stock result.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { heapF32, type Info } from "./heap.ts";
import { tuning } from "./tuning.ts";

/**
 * Sum or mean over leading axes (a batch-norm statistic, a bias gradient: [B, H, W, C] → [C]) as one pass
 * of column sums, in the stock kernels' order (each output sums its inputs first to last in float32) and
 * so bit for bit their result; the stock kernels transpose the input first. Other reductions go to them.
 */
export function makeLeadingReduction(stock: tf.KernelFunc, mean: boolean) {
  return (args: { inputs: { x: Info }; backend: BackendWasm; attrs: tf.NamedAttrMap }): Info => {
    const { inputs: { x }, backend, attrs } = args;
    const rank = x.shape.length;
    // In the given order: the stock kernels sum the reduced axes in that order (first outermost).
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
    const k = axes.length;
    if (
      !tuning.leadingReductions || x.dtype !== "float32" || k === 0 || k >= rank ||
      axes.some((a, i) => a !== i)
    ) {
      return stock(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    }
    const rest = x.shape.slice(k);
    const N = x.shape.slice(0, k).reduce((a, b) => a * b, 1), C = rest.reduce((a, b) => a * b, 1);
    const outShape = attrs.keepDims ? [...x.shape.slice(0, k).map(() => 1), ...rest] : rest;
    const out = backend.makeOutput(outShape, "float32");
    const xs = heapF32(backend, x), o = heapF32(backend, out);
    o.fill(0);
    for (let n = 0, i = 0; n < N; n++) for (let c = 0; c < C; c++, i++) o[c] += xs[i];
    if (mean) { for (let c = 0; c < C; c++) o[c] /= N; }
    return out;
  };
}
