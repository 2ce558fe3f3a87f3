/**
 * The convolution filter gradient on the tfjs `webgpu` backend as one matrix product per filter tap.
 *
 * tfjs-backend-webgpu 4.22 computes `Conv2DBackpropFilter` with one GPU thread per filter weight, each summing
 * over batch × output rows × output columns: for the last layer of a 96 px generator (5 × 5 × 64 × 3 weights)
 * that is 4,800 threads, each looping over 589,824 products. It was the largest cost of a training step
 * (a 32 px step on lavapipe: 55 % of its kernel time). Here, for each tap (kh, kw) of the filter,
 *
 *   dW[kh, kw] (Ci × Co) = Xtap(kh, kw)ᵀ (Ci × M) · dY (M × Co),   M = batch · outHeight · outWidth,
 *
 * where Xtap gathers, for every output position, the input pixel under that tap (zero in the padding). The
 * product's inner dimension M is long and its output small, which tfjs's `BatchMatMul` runs split along M
 * (its split-K program), so every tap spreads over the whole GPU. Channels-last, dilation 1 only; anything
 * else goes to the stock kernel.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { elementwiseProgram, type Info, type Uniform, type WebGpuBackend } from "./program.ts";

/** Xtap: [1, M, Ci] for one tap; M runs over (batch, output row, output column). */
function tapProgram(m: number, ci: number) {
  return elementwiseProgram(
    "morphoganFilterTap",
    ["X"],
    "tap : vec2<i32>, pads : vec2<i32>, strides : vec2<i32>, outSize : vec2<i32>, inSize : vec2<i32>,",
    [1, m, ci],
    `let c = index % uniforms.outShape[2];
          let pos = index / uniforms.outShape[2];
          let ox = pos % uniforms.outSize.y;
          let oy = (pos / uniforms.outSize.y) % uniforms.outSize.x;
          let b = pos / (uniforms.outSize.x * uniforms.outSize.y);
          let ix = ox * uniforms.strides.y + uniforms.tap.y - uniforms.pads.y;
          let iy = oy * uniforms.strides.x + uniforms.tap.x - uniforms.pads.x;
          var value = 0.0;
          if (ix >= 0 && ix < uniforms.inSize.y && iy >= 0 && iy < uniforms.inSize.x) {
            value = getX(b, iy, ix, c);
          }
          setOutputAtIndex(index, value);`,
  );
}

type KernelArgs = { inputs: { x: Info; dy: Info }; backend: WebGpuBackend; attrs: tf.NamedAttrMap };

/** Wraps the stock `Conv2DBackpropFilter` kernel of webgpu: ours where it applies, the stock one elsewhere. */
export function makeConv2DBackpropFilter(stock: tf.KernelFunc, enabled: () => boolean = () => true) {
  const kernel = (name: string) => {
    const k = tf.getKernel(name, "webgpu");
    if (!k) throw new Error(`webgpu backend has no '${name}' kernel`);
    return k.kernelFunc;
  };
  const reshape = kernel("Reshape"), matMul = kernel("BatchMatMul"), concat = kernel("Concat");
  return (args: KernelArgs): Info => {
    const { inputs: { x, dy }, backend, attrs } = args;
    const filterShape = attrs.filterShape as [number, number, number, number];
    const dataFormat = (attrs.dataFormat as string | undefined) ?? "NHWC";
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      attrs.strides as [number, number] | number,
      1,
      attrs.pad as "valid" | "same" | number,
      attrs.dimRoundingMode as "floor" | "round" | "ceil" | undefined,
      false,
      "channelsLast",
    );
    if (!enabled() || dataFormat !== "NHWC" || x.dtype !== "float32") {
      return stock(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    }
    const [kh, kw, ci, co] = filterShape;
    const m = info.batchSize * info.outHeight * info.outWidth;
    const run = (f: tf.KernelFunc, inputs: tf.NamedTensorInfoMap | Info[], a: tf.NamedAttrMap) =>
      f({ inputs, backend, attrs: a } as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    const dy3 = run(reshape, { x: dy }, { shape: [1, m, co] }); // [1, M, Co]
    const taps: Info[] = [];
    for (let r = 0; r < kh; r++) {
      for (let c = 0; c < kw; c++) {
        const uniforms: Uniform[] = [
          { type: "int32", data: [r, c] },
          { type: "int32", data: [info.padInfo.top, info.padInfo.left] },
          { type: "int32", data: [info.strideHeight, info.strideWidth] },
          { type: "int32", data: [info.outHeight, info.outWidth] },
          { type: "int32", data: [info.inHeight, info.inWidth] },
        ];
        const tap = backend.runWebGPUProgram(tapProgram(m, ci), [x], "float32", uniforms); // [1, M, Ci]
        taps.push(run(matMul, { a: tap, b: dy3 }, { transposeA: true, transposeB: false })); // [1, Ci, Co]
        backend.disposeData(tap.dataId);
      }
    }
    backend.disposeData(dy3.dataId);
    const stacked = taps.length === 1 ? taps[0] : run(concat, taps, { axis: 0 }); // [kh·kw, Ci, Co]
    if (taps.length > 1) { for (const t of taps) backend.disposeData(t.dataId); }
    const out = run(reshape, { x: stacked }, { shape: filterShape });
    backend.disposeData(stacked.dataId);
    return out;
  };
}
