import assert from "node:assert/strict";
import { canonicalJson, sha256, sha256File } from "./hash.ts";

Deno.test("canonical JSON sorts keys at every depth and drops undefined members", () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [1, { z: 0, y: null }], c: "x" }, u: undefined }),
    '{"a":{"c":"x","d":[1,{"y":null,"z":0}]},"b":1}',
  );
  assert.equal(canonicalJson({ x: 1, y: 2 }), canonicalJson({ y: 2, x: 1 }));
});

Deno.test("canonical JSON refuses values it cannot represent exactly", () => {
  assert.throws(() => canonicalJson({ a: NaN }), /Cannot hash the number NaN/);
  assert.throws(() => canonicalJson({ a: () => 1 }), /Cannot hash a value of type function/);
});

Deno.test("sha256 of text, bytes and files agree with known digests", async () => {
  const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  assert.equal(sha256(""), empty);
  assert.equal(sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(sha256(new TextEncoder().encode("abc")), sha256("abc"));
  const path = await Deno.makeTempFile();
  const big = new Uint8Array(3 * (1 << 20) + 17).map((_, i) => i % 251);
  await Deno.writeFile(path, big);
  assert.equal(await sha256File(path), sha256(big));
  await Deno.remove(path);
});
