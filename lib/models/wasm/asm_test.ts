/**
 * Tests of the assembler ({@link ./asm.ts}): LEB128 encodings and assembled SIMD loops run.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Asm, buildModule, hasRelaxedSimd, I32, sleb, uleb } from "./asm.ts";

Deno.test("LEB128 encodings (the specification's examples)", () => {
  assert.deepEqual(uleb(0), [0]);
  assert.deepEqual(uleb(127), [0x7f]);
  assert.deepEqual(uleb(128), [0x80, 0x01]);
  assert.deepEqual(uleb(624485), [0xe5, 0x8e, 0x26]);
  assert.deepEqual(sleb(0), [0]);
  assert.deepEqual(sleb(-1), [0x7f]);
  assert.deepEqual(sleb(63), [0x3f]);
  assert.deepEqual(sleb(64), [0xc0, 0x00]);
  assert.deepEqual(sleb(-123456), [0xc0, 0xbb, 0x78]);
});

/** out[i] = a[i]·b[i] + c[i] over n vectors of 4 floats, with fused or separate multiply-add. */
function maddModule(fused: boolean, memory: WebAssembly.Memory) {
  const f = new Asm([I32, I32, I32, I32, I32]); // a, b, c, out (byte addresses), n (vectors ≥ 1)
  const [a, b, c, out, n] = [0, 1, 2, 3, 4];
  f.loop();
  f.get(out).get(a).load().get(b).load();
  if (fused) f.get(c).load().f32x4Madd();
  else f.f32x4Mul().get(c).load().f32x4Add();
  f.store();
  for (const p of [a, b, c, out]) f.inc(p, 16);
  f.get(n).i32(1).sub().tee(n).brIf(0);
  f.end();
  const inst = new WebAssembly.Instance(new WebAssembly.Module(buildModule({ madd: f })), {
    env: { memory },
  });
  return inst.exports.madd as (a: number, b: number, c: number, out: number, n: number) => void;
}

Deno.test("assembled SIMD loops compute a·b + c on an imported memory (fused where relaxed SIMD exists)", () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const f32 = new Float32Array(memory.buffer);
  const n = 6; // vectors
  for (let i = 0; i < 4 * n; i++) {
    f32[i] = i / 7 - 1; // a at 0
    f32[64 + i] = 3 - i / 5; // b at 256
    f32[128 + i] = i * 0.25; // c at 512
  }
  const fusedToo = hasRelaxedSimd();
  assert.equal(typeof fusedToo, "boolean");
  for (const fused of fusedToo ? [false, true] : [false]) {
    maddModule(fused, memory)(0, 256, 512, 768, n);
    for (let i = 0; i < 4 * n; i++) {
      const want = f32[i] * f32[64 + i] + f32[128 + i];
      assert.ok(
        Math.abs(f32[192 + i] - want) <= 1e-6 * Math.max(1, Math.abs(want)),
        `lane ${i}: ${f32[192 + i]} vs ${want}`,
      );
    }
    f32.fill(0, 192, 192 + 4 * n);
  }
});

Deno.test("this Deno (V8) compiles relaxed SIMD", () => {
  // Deno 2.9's V8 ships relaxed SIMD; the kernels fall back to multiply + add without it.
  assert.equal(hasRelaxedSimd(), true);
});
