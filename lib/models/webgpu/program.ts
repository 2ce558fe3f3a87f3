/**
 * The shape of a tfjs-backend-webgpu program, and the backend methods our kernels call: the package exports
 * the {@link WebGPUProgram} type and `webgpu_util`, not its program classes, so each kernel here declares its
 * own program.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { webgpu_util, type WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";

export type { WebGPUProgram };

/** A tensor as kernels see it. */
export type Info = tf.TensorInfo;

/** A uniform value passed beside a program's inputs. */
export interface Uniform {
  type: "float32" | "int32" | "uint32";
  data: number[];
}

/** The methods of tfjs's `WebGPUBackend` that our kernels use. */
export interface WebGpuBackend {
  runWebGPUProgram(program: WebGPUProgram, inputs: Info[], dtype: tf.DataType, uniforms?: Uniform[]): Info;
  disposeData(dataId: object): boolean;
}

/**
 * An element-wise program over a flat output of `size` elements: `body` is WGSL inside
 * `if (index < uniforms.size)`, reading inputs with `get<Name>ByOutputIndex(index)` and writing with
 * `setOutputAtIndex(index, value)`.
 */
export function elementwiseProgram(
  shaderKey: string,
  variableNames: string[],
  uniforms: string,
  shape: number[],
  body: string,
): WebGPUProgram {
  const workgroupSize: [number, number, number] = [64, 1, 1];
  const dispatchLayout = webgpu_util.flatDispatchLayout(shape);
  return {
    shaderKey,
    variableNames,
    uniforms,
    outputShape: shape,
    size: true,
    workgroupSize,
    dispatchLayout,
    dispatch: webgpu_util.computeDispatch(dispatchLayout, shape, workgroupSize),
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${body}
        }
      }`,
  };
}
