import assert from "node:assert/strict";
import { encodeNpy, type NpyArray, parseNpy } from "./npy.ts";

function withHeader(header: string, data: Uint8Array, version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  const out = new Uint8Array(pre + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, header.length, true);
  else dv.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  out.set(data, pre + header.length);
  return out;
}

Deno.test("encodeNpy/parseNpy round-trip uint8, uint16 and float32 with 64-byte aligned headers", () => {
  const arrays: NpyArray[] = [
    { dtype: "uint8", shape: [2, 3, 3], data: Uint8Array.from({ length: 18 }, (_, i) => i * 13) },
    { dtype: "uint16", shape: [4, 2, 3], data: Uint16Array.from({ length: 24 }, (_, i) => i * 2711) },
    { dtype: "float32", shape: [5], data: Float32Array.from([0.5, -1.25, 3e9, 0, 7]) },
  ];
  for (const a of arrays) {
    const bytes = encodeNpy(a);
    const hl = bytes[8] | (bytes[9] << 8);
    assert.equal((10 + hl) % 64, 0);
    assert.deepEqual(parseNpy(bytes), a);
  }
});

Deno.test("parseNpy reads version 2 headers and big-endian data", () => {
  const be = new Uint8Array([0x01, 0x02, 0xff, 0xfe]);
  const a = parseNpy(withHeader("{'descr': '>u2', 'fortran_order': False, 'shape': (2,), }\n", be, 2));
  assert.deepEqual([...a.data], [0x0102, 0xfffe]);
  assert.deepEqual(a.shape, [2]);
});

Deno.test("parseNpy rejects malformed files with a message naming the file", () => {
  const ok = "{'descr': '<u2', 'fortran_order': False, 'shape': (2, 2), }\n";
  const d8 = new Uint8Array(8);
  assert.throws(
    () => parseNpy(new TextEncoder().encode("PK\x03\x04 not numpy"), "a.npy"),
    /'a.npy': expected the magic string/,
  );
  assert.throws(
    () => parseNpy(withHeader(ok, d8, 9), "v.npy"),
    /'v.npy': expected format version 1, 2 or 3, found 9.0/,
  );
  assert.throws(
    () => parseNpy(withHeader("{'descr': '<u2', 'shape': (2, 2), }\n", d8), "h.npy"),
    /'h.npy': expected a header dictionary with 'descr', 'fortran_order' and 'shape'/,
  );
  assert.throws(
    () => parseNpy(withHeader(ok.replace("<u2", "<i8"), d8), "t.npy"),
    /'t.npy': expected dtype uint8.*found '<i8'/,
  );
  assert.throws(
    () => parseNpy(withHeader(ok.replace("False", "True"), d8), "f.npy"),
    /'f.npy': expected C-order data/,
  );
  assert.throws(
    () => parseNpy(withHeader(ok.replace("(2, 2)", "(2, x)"), d8), "s.npy"),
    /'s.npy': expected non-negative integer dimensions in the shape, found 'x'/,
  );
  assert.throws(
    () => parseNpy(withHeader(ok, new Uint8Array(6)), "d.npy"),
    /'d.npy': expected 8 bytes of data for shape \(2, 2\), found 6/,
  );
  const full = withHeader(ok, d8);
  assert.throws(
    () => parseNpy(full.subarray(0, 30), "c.npy"),
    /'c.npy': expected a \d+-byte header, found only/,
  );
});
