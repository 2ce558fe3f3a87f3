/**
 * The geometry of an NHWC convolution as our wasm kernels take it: tfjs's `Conv2DInfo` from a kernel's
 * attributes, and the {@link ConvGeometry} of our SIMD filter gradients.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ConvGeometry } from "./filter_grad_simd.ts";
import type { Info } from "./heap.ts";

/** Per-side padding of a convolution: top, bottom, left, right (negative: crop). */
export type Pads = [number, number, number, number];

/** tfjs's convolution info of an NHWC convolution (dilation 1) from a kernel's attributes. */
export function convInfoOf(
  xShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  pad: unknown,
  dimRoundingMode: unknown,
  dataFormat: unknown,
): tf.backend_util.Conv2DInfo {
  const fmt = tf.backend_util.convertConv2DDataFormat((dataFormat as "NHWC" | "NCHW") ?? "NHWC");
  if (fmt !== "channelsLast") throw new Error(`wasm conv gradients support only NHWC, got ${dataFormat}`);
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad as "same",
    dimRoundingMode as "floor" | undefined,
    false,
    fmt,
  );
}

/** The {@link ConvGeometry} of a convolution of x. */
export function patchGeometry(x: Info, ci: tf.backend_util.Conv2DInfo): ConvGeometry {
  const [B, H, W, Ci] = x.shape;
  return {
    B,
    H,
    W,
    Ci,
    OH: ci.outHeight,
    OW: ci.outWidth,
    Co: ci.outChannels,
    fh: ci.filterHeight,
    fw: ci.filterWidth,
    sh: ci.strideHeight,
    sw: ci.strideWidth,
    pt: ci.padInfo.top,
    pl: ci.padInfo.left,
  };
}
