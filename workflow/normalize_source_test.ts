import assert from "node:assert/strict";
import { normalizeSource, tokenize } from "./normalize_source.ts";

const same = (a: string, b: string) => assert.equal(normalizeSource(a), normalizeSource(b));
const differ = (a: string, b: string) => assert.notEqual(normalizeSource(a), normalizeSource(b));

Deno.test("comments and whitespace do not count", () => {
  same(
    `export function f(x: number) { return x * 2; }`,
    `/** Doubles. */
export function f(
  x: number, // the input
) {
  /* block */ return x * 2;
}
`,
  );
});

Deno.test("trailing commas and quote style do not count", () => {
  same(
    `const a = ['x', "y", 'it\\'s', 'say "hi"'];`,
    `const a = [\n  "x",\n  "y",\n  "it's",\n  "say \\"hi\\"",\n];`,
  );
  same(`f(a, b,)`, `f(a, b)`);
  same(`const o = { a: 1, b: 2, };`, `const o = {\n  a: 1,\n  b: 2\n};`);
});

Deno.test("code changes count", () => {
  differ(`const a = 1;`, `const a = 2;`);
  differ(`const s = "a b";`, `const s = "a  b";`);
  differ(`f(a, b)`, `f(b, a)`);
  differ("const t = `x ${a} y`;", "const t = `x ${a}  y`;");
  differ(`const r = /a b/g;`, `const r = /a  b/g;`);
  differ(`x = a - -b`, `x = a - b`);
  differ(`x = a++ + b`, `x = a + ++b`);
});

Deno.test("comment markers inside literals are code", () => {
  // The part after "//" in a string, template or regex must still be digested.
  differ(`const u = "http://a"; f(1);`, `const u = "http://a"; f(2);`);
  differ("const u = `//${x}`; f(1);", "const u = `//${x}`; f(2);");
  differ(`const r = /\\/\\//; f(1);`, `const r = /\\/\\//; f(2);`);
  differ(`if (ok) return /[/]/.test(s); f(1);`, `if (ok) return /[/]/.test(s); f(2);`);
  same(`const u = "/* not a comment */";`, `const u = "/* not a comment */"; // a comment`);
});

Deno.test("template literals with nested expressions and braces", () => {
  const tokens = tokenize("const t = `a ${ {b: 1}.b } c ${`inner ${d}`} e`;");
  assert.deepEqual(tokens, [
    "const",
    "t",
    "=",
    "`a ${",
    "{",
    "b",
    ":",
    "1",
    "}",
    ".",
    "b",
    "} c ${",
    "`inner ${",
    "d",
    "}`",
    "} e`",
    ";",
  ]);
});

Deno.test("division is not mistaken for a regex", () => {
  same(`const x = a / b / c; // note`, `const x = a/b/c;`);
  differ(`const x = a / b / c;`, `const x = a / b / d;`);
});

Deno.test("numbers with exponents stay one token", () => {
  assert.deepEqual(tokenize("x = 1e-5 + 2.5E+3 - 0x1e"), ["x", "=", "1e-5", "+", "2.5E+3", "-", "0x1e"]);
});

Deno.test("JSON modules are compared as data", () => {
  assert.equal(
    normalizeSource(`{"b": 1, "a": [1, 2]}`, "Json"),
    normalizeSource(`{\n  "a": [1,2],\n  "b": 1\n}`, "Json"),
  );
});

Deno.test("unreadable source falls back to its raw text", () => {
  assert.equal(normalizeSource(`const s = "unterminated`), `const s = "unterminated`);
});
