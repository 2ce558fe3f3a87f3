import assert from "node:assert/strict";
import { formatParam, p, parseParamArgs, resolveParams } from "./params.ts";

const specs = {
  steps: p.int(300, { min: 1 }),
  lr: p.number(5e-5, { min: 0 }),
  loss: p.oneOf(["dcgan", "wgan", "lsgan"], "dcgan"),
  mask: p.bool(false),
  dir: p.string<true>(null, { nullable: true }),
  sizes: p.numbers([32, 64]),
};

Deno.test("defaults, then layers in order", () => {
  const values = resolveParams("train", specs, [
    { source: "profile 'quick'", values: { steps: 500, loss: "lsgan" } },
    { source: "--param", values: { steps: 700 } },
  ]);
  assert.deepEqual(values, { steps: 700, lr: 5e-5, loss: "lsgan", mask: false, dir: null, sizes: [32, 64] });
});

Deno.test("unknown keys and wrong values are errors naming task, key and source", () => {
  assert.throws(
    () => resolveParams("train", specs, [{ source: "profile 'quick'", values: { stpes: 1 } }]),
    /Unknown param 'train.stpes' \(from profile 'quick'\): task 'train' has params steps, lr, loss, mask, dir, sizes/,
  );
  assert.throws(
    () => resolveParams("train", specs, [{ source: "--param", values: { steps: 1.5 } }]),
    /Invalid param 'train.steps' \(from --param\): expected an integer, got 1.5/,
  );
  assert.throws(
    () => resolveParams("train", specs, [{ source: "x", values: { loss: "vae" } }]),
    /expected one of dcgan, wgan, lsgan, got "vae"/,
  );
  assert.throws(
    () => resolveParams("train", specs, [{ source: "x", values: { steps: "5" } }]),
    /expected an integer, got "5"/,
  );
  assert.throws(
    () => resolveParams("seg", {}, [{ source: "x", values: { a: 1 } }]),
    /task 'seg' has no params/,
  );
});

Deno.test("command-line text is parsed by each param's kind", () => {
  const out = parseParamArgs(
    [
      "train.steps=42",
      "train.mask=yes",
      "train.loss=wgan",
      "train.sizes=8, 16",
      "train.dir=",
      "train.lr=1e-4",
    ],
    (t) => (t === "train" ? specs : undefined),
    ["train"],
  );
  assert.deepEqual(out, {
    train: { steps: 42, mask: true, loss: "wgan", sizes: [8, 16], dir: null, lr: 1e-4 },
  });
  assert.throws(() => parseParamArgs(["train.steps"], () => specs, ["train"]), /expected task.key=value/);
  assert.throws(() => parseParamArgs(["train.mask=maybe"], () => specs, ["train"]), /expected true or false/);
  assert.throws(
    () => parseParamArgs(["train.sizes=1,x"], () => specs, ["train"]),
    /expected a list of numbers/,
  );
});

Deno.test("declarations reject invalid defaults", () => {
  assert.throws(() => p.int(0, { min: 1 }), /expected ≥ 1, got 0/);
  assert.throws(() => p.oneOf(["a", "b"], "c" as "a"), /expected one of a, b/);
});

Deno.test("formatParam", () => {
  assert.equal(formatParam(300), "300");
  assert.equal(formatParam("dcgan"), "dcgan");
  assert.equal(formatParam([1, 2]), "[1,2]");
  assert.equal(formatParam(undefined), "(unset)");
});
