/**
 * {@link registerWasmKernels} installs our kernels for the tfjs backend `wasm`, so `tf.conv2d`'s gradients,
 * `tf.conv2dTranspose` and layers use them unchanged: `Conv2D`, `Conv2DBackpropFilter`,
 * `Conv2DBackpropInput`, `BatchMatMul`, `Identity`, `Cast`, `LeakyRelu`, `Sum`, `Mean`, and two kernels of
 * our own (LeakyReLU's fused gradient and Adam's update), with LeakyReLU's gradients.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { ADAM_UPDATE, adamWasm } from "./adam_update.ts";
import { makeBatchMatMul } from "./batch_matmul.ts";
import { makeConv2D } from "./conv2d.ts";
import { conv2DBackpropFilterWasm } from "./conv_backprop_filter.ts";
import { conv2DBackpropInputWasm } from "./conv_backprop_input.ts";
import { captureStockConv2D, type Info } from "./heap.ts";
import { makeCast, makeIdentity } from "./identity.ts";
import {
  LEAKY_RELU_GRAD,
  leakyReluGradWasm,
  makeLeakyRelu,
  registerLeakyReluGradients,
} from "./leaky_relu.ts";
import { makeLeadingReduction } from "./reduce.ts";

let registered = false;

/**
 * Registers {@link conv2DBackpropFilterWasm} and {@link conv2DBackpropInputWasm} as the wasm backend's
 * `Conv2DBackpropFilter` and `Conv2DBackpropInput` (replacing its slow one), and wraps its `Conv2D` and
 * `BatchMatMul`. Idempotent. Call after importing `@tensorflow/tfjs-backend-wasm`.
 */
export function registerWasmKernels(): void {
  if (registered) return;
  const stockMatMul = tf.getKernel("BatchMatMul", "wasm");
  const stockConv = tf.getKernel("Conv2D", "wasm");
  if (!stockMatMul || !stockConv) {
    throw new Error("register the wasm backend (import @tensorflow/tfjs-backend-wasm) first");
  }
  captureStockConv2D(stockConv.kernelFunc);
  const stock = (name: string) => {
    const k = tf.getKernel(name, "wasm");
    if (!k) throw new Error(`wasm backend has no '${name}' kernel`);
    return k.kernelFunc;
  };
  const kernels: [string, (a: never) => Info | Info[]][] = [
    ["Conv2D", makeConv2D(stockConv.kernelFunc)],
    ["Conv2DBackpropFilter", conv2DBackpropFilterWasm],
    ["Conv2DBackpropInput", conv2DBackpropInputWasm],
    ["BatchMatMul", makeBatchMatMul(stockMatMul.kernelFunc)],
    ["Identity", makeIdentity(stock("Identity"))],
    ["Cast", makeCast(stock("Cast"))],
    ["LeakyRelu", makeLeakyRelu(stock("LeakyRelu"))],
    ["Sum", makeLeadingReduction(stock("Sum"), false)],
    ["Mean", makeLeadingReduction(stock("Mean"), true)],
    [LEAKY_RELU_GRAD, leakyReluGradWasm],
    [ADAM_UPDATE, adamWasm],
  ];
  for (const [kernelName, fn] of kernels) {
    const old = tf.getKernel(kernelName, "wasm");
    if (old) tf.unregisterKernel(kernelName, "wasm");
    // Keep the stock setup function: it binds the wasm exports the stock BatchMatMul falls back to.
    tf.registerKernel({
      kernelName,
      backendName: "wasm",
      kernelFunc: fn as unknown as tf.KernelFunc,
      setupFunc: old?.setupFunc,
    });
  }
  registerLeakyReluGradients();
  registered = true;
}
