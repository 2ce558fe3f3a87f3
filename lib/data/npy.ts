/**
 * A small reader and writer for NumPy `.npy` files (format versions 1.0, 2.0 and
 * 3.0) holding uint8, uint16 or float32 arrays in C order, either byte order.
 *
 * @module
 */

/** Element types this module reads and writes. */
export type NpyDtype = "uint8" | "uint16" | "float32";

/** A dense n-dimensional array in C (row-major) order. */
export interface NpyArray {
  /** Element type. */
  dtype: NpyDtype;
  /** Shape, outermost first; `[]` for a scalar. */
  shape: number[];
  /** The elements, native byte order. */
  data: Uint8Array | Uint16Array | Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Parses `.npy` bytes.
 *
 * @throws Error naming the file for a bad magic string, an unsupported version,
 * a malformed header dictionary, an unsupported dtype, Fortran order, or data
 * shorter than the shape says.
 */
export function parseNpy(bytes: Uint8Array, file = "<npy>"): NpyArray {
  const fail = (what: string): never => {
    throw new Error(`Cannot read NPY '${file}': ${what}`);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    fail("expected the magic string '\\x93NUMPY' at the start, found something else");
  }
  const major = bytes[6];
  let headerLen: number, headerStart: number;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail("expected a 4-byte header length, found a truncated file");
    headerLen = dv.getUint32(8, true);
    headerStart = 12;
  } else {
    return fail(`expected format version 1, 2 or 3, found ${major}.${bytes[7]}`);
  }
  if (headerStart + headerLen > bytes.length) {
    fail(`expected a ${headerLen}-byte header, found only ${bytes.length - headerStart} bytes`);
  }
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(headerStart, headerStart + headerLen),
  );
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (
    !header.trim().startsWith("{") || descr === undefined || fortran === undefined || shapeText === undefined
  ) {
    fail(
      `expected a header dictionary with 'descr', 'fortran_order' and 'shape', found ${
        JSON.stringify(header.trim())
      }`,
    );
  }
  if (fortran === "True") fail("expected C-order data (fortran_order False), found fortran_order True");
  const dims = shapeText!.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const shape = dims.map((s) => {
    if (!/^\d+L?$/.test(s)) fail(`expected non-negative integer dimensions in the shape, found '${s}'`);
    return parseInt(s, 10);
  });
  let dtype: NpyDtype, size: number, little = true;
  switch (descr) {
    case "|u1":
    case "<u1":
    case ">u1":
      dtype = "uint8";
      size = 1;
      break;
    case "<u2":
    case ">u2":
      dtype = "uint16";
      size = 2;
      little = descr[0] === "<";
      break;
    case "<f4":
    case ">f4":
      dtype = "float32";
      size = 4;
      little = descr[0] === "<";
      break;
    default:
      return fail(`expected dtype uint8 ('|u1'), uint16 ('<u2') or float32 ('<f4'), found '${descr}'`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const start = headerStart + headerLen;
  if (bytes.length - start < count * size) {
    fail(
      `expected ${count * size} bytes of data for shape (${shape.join(", ")}), found ${bytes.length - start}`,
    );
  }
  let data: Uint8Array | Uint16Array | Float32Array;
  if (dtype === "uint8") data = bytes.slice(start, start + count);
  else if (dtype === "uint16") {
    data = new Uint16Array(count);
    for (let i = 0; i < count; i++) data[i] = dv.getUint16(start + 2 * i, little);
  } else {
    data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = dv.getFloat32(start + 4 * i, little);
  }
  return { dtype, shape, data };
}

/** Encodes an array as `.npy` version 1.0, little-endian, C order. */
export function encodeNpy(array: NpyArray): Uint8Array {
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) {
    throw new RangeError(
      `encodeNpy: expected ${count} elements for shape (${array.shape.join(", ")}), got ${array.data.length}`,
    );
  }
  const descr = { uint8: "|u1", uint16: "<u2", float32: "<f4" }[array.dtype];
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const size = array.data.BYTES_PER_ELEMENT;
  const out = new Uint8Array(10 + header.length + count * size);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  dv.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const start = 10 + header.length;
  if (array.dtype === "uint8") out.set(array.data as Uint8Array, start);
  else if (array.dtype === "uint16") {
    for (let i = 0; i < count; i++) dv.setUint16(start + 2 * i, array.data[i], true);
  } else for (let i = 0; i < count; i++) dv.setFloat32(start + 4 * i, array.data[i], true);
  return out;
}
