/**
 * A very small WebAssembly assembler: enough of the binary format to build SIMD compute kernels at run time
 * (i32 arithmetic, loops, 128-bit loads, stores and float lanes, relaxed fused multiply-add), for modules
 * that import the memory they work on. See {@link Asm} and {@link buildModule}.
 *
 * The encodings follow the WebAssembly core specification 2.0 (binary format, §5) and the relaxed-SIMD
 * proposal (`f32x4.relaxed_madd` = 0xfd 0x105).
 *
 * @module
 */

/** Value type i32. */
export const I32 = 0x7f;
/** Value type v128 (SIMD). */
export const V128 = 0x7b;
/** The value types of {@link Asm}'s parameters, results and locals. */
export type ValType = typeof I32 | typeof V128;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  n |= 0;
  while (true) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const simd = (op: number) => [0xfd, ...uleb(op)];

/**
 * The body of one function, written as a stack machine: each method appends one instruction and returns
 * `this`. Locals are numbered after the parameters ({@link local}).
 */
export class Asm {
  /** The instructions so far, encoded. */
  readonly code: number[] = [];
  readonly #locals: ValType[] = [];
  readonly #nParams: number;

  /** A function of these parameter and result types. */
  constructor(readonly params: ValType[], readonly results: ValType[] = []) {
    this.#nParams = params.length;
  }

  /** A new local of type `t`; returns its index. */
  local(t: ValType): number {
    this.#locals.push(t);
    return this.#nParams + this.#locals.length - 1;
  }

  #op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  /** local.get */
  get(i: number): this {
    return this.#op(0x20, ...uleb(i));
  }
  /** local.set */
  set(i: number): this {
    return this.#op(0x21, ...uleb(i));
  }
  /** local.tee */
  tee(i: number): this {
    return this.#op(0x22, ...uleb(i));
  }
  /** i32.const */
  i32(n: number): this {
    return this.#op(0x41, ...sleb(n));
  }
  /** i32.add */
  add(): this {
    return this.#op(0x6a);
  }
  /** i32.sub */
  sub(): this {
    return this.#op(0x6b);
  }
  /** i32.mul */
  mul(): this {
    return this.#op(0x6c);
  }
  /** i32.eqz */
  eqz(): this {
    return this.#op(0x45);
  }
  /** i32.gt_s */
  gtS(): this {
    return this.#op(0x4a);
  }
  /** `block` (no result) … `end`. */
  block(): this {
    return this.#op(0x02, 0x40);
  }
  /** `loop` (no result) … `end`. */
  loop(): this {
    return this.#op(0x03, 0x40);
  }
  /** `end` of a block or loop. */
  end(): this {
    return this.#op(0x0b);
  }
  /** br: branch to the label `depth` levels out (0: the innermost block or loop). */
  br(depth: number): this {
    return this.#op(0x0c, ...uleb(depth));
  }
  /** br_if: {@link br} when the top i32 is not zero. */
  brIf(depth: number): this {
    return this.#op(0x0d, ...uleb(depth));
  }
  /** local[i] += n (i32). */
  inc(i: number, n: number): this {
    return this.get(i).i32(n).add().set(i);
  }
  /** local[i] += local[j] (i32). */
  incBy(i: number, j: number): this {
    return this.get(i).get(j).add().set(i);
  }
  /** v128.load at [address on the stack + offset]. */
  load(offset = 0): this {
    return this.#op(...simd(0x00), 0, ...uleb(offset));
  }
  /** v128.load32_splat: one f32 at [address + offset] into all four lanes. */
  loadSplat(offset = 0): this {
    return this.#op(...simd(0x09), 0, ...uleb(offset));
  }
  /** v128.store of the top value at [address below it + offset]. */
  store(offset = 0): this {
    return this.#op(...simd(0x0b), 0, ...uleb(offset));
  }
  /** v128.const of zeros (+0.0 in every f32 lane). */
  v128Zero(): this {
    return this.#op(...simd(0x0c), ...new Array(16).fill(0));
  }
  /** f32x4.add */
  f32x4Add(): this {
    return this.#op(...simd(0xe4));
  }
  /** f32x4.mul */
  f32x4Mul(): this {
    return this.#op(...simd(0xe6));
  }
  /** f32x4.relaxed_madd: a·b + c of the top three values (a deepest); fused where the hardware has FMA. */
  f32x4Madd(): this {
    return this.#op(...simd(0x105));
  }

  /** The function body in binary form (locals and code). */
  body(): number[] {
    // Runs of equal types, as (count, type) groups.
    const groups: number[] = [];
    let n = 0;
    for (let i = 0; i < this.#locals.length;) {
      let j = i;
      while (j < this.#locals.length && this.#locals[j] === this.#locals[i]) j++;
      groups.push(...uleb(j - i), this.#locals[i]);
      n++;
      i = j;
    }
    const bytes = [...uleb(n), ...groups, ...this.code, 0x0b];
    return [...uleb(bytes.length), ...bytes];
  }
}

/** The magic number "\0asm" and version 1. */
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function name(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

/**
 * A module that imports `env.memory` and exports the given functions by name. The memory is non-shared of
 * at least one page, or, with `sharedMaxPages`, shared with at most that many pages (a threaded backend's
 * memory: an import must declare the memory's sharedness, and a shared memory needs a maximum).
 */
export function buildModule(
  functions: Record<string, Asm>,
  sharedMaxPages?: number,
): Uint8Array<ArrayBuffer> {
  const limits = sharedMaxPages === undefined ? [0x00, 1] : [0x03, 1, ...uleb(sharedMaxPages)];
  const entries = Object.entries(functions);
  const types = entries.map((
    [, f],
  ) => [0x60, ...uleb(f.params.length), ...f.params, ...uleb(f.results.length), ...f.results]);
  const bytes = [
    ...HEADER,
    ...section(1, [...uleb(types.length), ...types.flat()]),
    ...section(2, [1, ...name("env"), ...name("memory"), 0x02, ...limits]),
    ...section(3, [...uleb(entries.length), ...entries.map((_, i) => uleb(i)).flat()]),
    ...section(7, [
      ...uleb(entries.length),
      ...entries.map(([n], i) => [...name(n), 0x00, ...uleb(i)]).flat(),
    ]),
    ...section(10, [...uleb(entries.length), ...entries.map(([, f]) => f.body()).flat()]),
  ];
  return new Uint8Array(bytes);
}

/** Whether this engine compiles relaxed-SIMD `f32x4.relaxed_madd`. */
export function hasRelaxedSimd(): boolean {
  const f = new Asm([V128, V128, V128], [V128]);
  f.get(0).get(1).get(2).f32x4Madd();
  const bytes = [
    ...HEADER,
    ...section(1, [1, 0x60, 3, V128, V128, V128, 1, V128]),
    ...section(3, [1, 0]),
    ...section(10, [1, ...f.body()]),
  ];
  return WebAssembly.validate(new Uint8Array(bytes));
}
