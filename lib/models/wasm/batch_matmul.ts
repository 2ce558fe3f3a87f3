/**
 * `BatchMatMul` for the tfjs `wasm` backend: batch 1 as an XNNPACK 1×1 convolution. The stock kernel is a
 * scalar loop, 50× slower with a transposed operand (the dense layers' weight gradients).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { dispose, type Info, runKernel } from "./heap.ts";

/**
 * `BatchMatMul` for wasm with batch 1 as an XNNPACK 1×1 convolution (the stock kernel runs a scalar loop,
 * slowest with a transposed operand); other cases go to the stock kernel.
 */
export function makeBatchMatMul(stock: tf.KernelFunc) {
  return (args: { inputs: { a: Info; b: Info }; backend: BackendWasm; attrs: tf.NamedAttrMap }): Info => {
    const { inputs: { a, b }, backend, attrs } = args;
    const transposeA = attrs.transposeA as boolean, transposeB = attrs.transposeB as boolean;
    const lead = (t: Info) => t.shape.slice(0, -2).reduce((p, d) => p * d, 1);
    if (
      a.shape.length < 2 || b.shape.length < 2 || lead(a) !== 1 || lead(b) !== 1 || a.dtype !== "float32" ||
      b.dtype !== "float32"
    ) {
      return stock(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    }
    const ra = a.shape.length, rb = b.shape.length;
    const [M, K] = transposeA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
    const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    const a3 = runKernel("Reshape", backend, { x: a }, { shape: transposeA ? [1, K, M] : [1, M, K] });
    const b3 = runKernel("Reshape", backend, { x: b }, { shape: transposeB ? [1, N, K] : [1, K, N] });
    const at = transposeA ? runKernel("Transpose", backend, { x: a3 }, { perm: [0, 2, 1] }) : a3;
    const bt = transposeB ? runKernel("Transpose", backend, { x: b3 }, { perm: [0, 2, 1] }) : b3;
    const x4 = runKernel("Reshape", backend, { x: at }, { shape: [1, 1, M, K] });
    const f4 = runKernel("Reshape", backend, { x: bt }, { shape: [1, 1, K, N] });
    const y = runKernel("Conv2D", backend, { x: x4, filter: f4 }, {
      strides: [1, 1],
      pad: "valid",
      dataFormat: "NHWC",
      dilations: [1, 1],
      dimRoundingMode: undefined,
    });
    const outShape = [...(ra >= rb ? a.shape : b.shape).slice(0, -2), M, N];
    const out = runKernel("Reshape", backend, { x: y }, { shape: outShape });
    dispose(backend, x4, f4, y, a3, b3);
    if (at !== a3) dispose(backend, at);
    if (bt !== b3) dispose(backend, bt);
    return out;
  };
}
