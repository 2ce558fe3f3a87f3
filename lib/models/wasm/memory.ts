/**
 * Tensors' data on the wasm heap: views and byte addresses. Free of runtime imports, so that the workers of
 * {@link ./pool.ts} load the kernels that use it without loading TensorFlow.js.
 *
 * @module
 */
import type { TensorInfo as Info } from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/** Float32 view of a tensor's data on the wasm heap (take views after every allocation: the heap may grow). */
export function heapF32(backend: BackendWasm, t: Info): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** Byte address of a tensor's data on the wasm heap. */
export function addressOf(backend: BackendWasm, t: { dataId: object }): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}
