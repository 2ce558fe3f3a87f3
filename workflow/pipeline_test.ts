import assert from "node:assert/strict";
import { definePipeline } from "./pipeline.ts";
import { p } from "./params.ts";
import { defineTask } from "./task.ts";

const a = defineTask({ name: "a", version: 1, params: { n: p.int(1) }, run() {} });
const b = defineTask({ name: "b", version: 1, inputs: { a }, run() {} });
const profile = (params = {}) => ({ name: "default", description: "", params });

Deno.test("tasks record the module that declared them", () => {
  assert.equal(a.module, import.meta.url);
});

Deno.test("definePipeline validates order, names and profiles", () => {
  const ok = definePipeline({
    module: import.meta.url,
    tasks: [a, b],
    profiles: [profile()],
    defaultProfile: "default",
  });
  assert.deepEqual(ok.tasks.map((t) => t.name), ["a", "b"]);
  assert.throws(
    () =>
      definePipeline({
        module: import.meta.url,
        tasks: [b, a],
        profiles: [profile()],
        defaultProfile: "default",
      }),
    /Task 'b' reads input 'a' from task 'a', which is listed after it/,
  );
  assert.throws(
    () =>
      definePipeline({
        module: import.meta.url,
        tasks: [b],
        profiles: [profile()],
        defaultProfile: "default",
      }),
    /which is not in the pipeline/,
  );
  assert.throws(
    () =>
      definePipeline({
        module: import.meta.url,
        tasks: [a, a],
        profiles: [profile()],
        defaultProfile: "default",
      }),
    /lists task 'a' twice/,
  );
  assert.throws(
    () =>
      definePipeline({
        module: import.meta.url,
        tasks: [a],
        profiles: [profile({ z: {} })],
        defaultProfile: "default",
      }),
    /Profile 'default' sets params of unknown task 'z'/,
  );
  assert.throws(
    () =>
      definePipeline({
        module: import.meta.url,
        tasks: [a],
        profiles: [profile({ a: { m: 1 } })],
        defaultProfile: "default",
      }),
    /Unknown param 'a.m' \(from profile 'default'\)/,
  );
  assert.throws(
    () =>
      definePipeline({ module: import.meta.url, tasks: [a], profiles: [profile()], defaultProfile: "quick" }),
    /Default profile 'quick' is not declared/,
  );
});

Deno.test("defineTask rejects bad names, versions and unknown fields", () => {
  assert.throws(() => defineTask({ name: "Bad-Name", version: 1, run() {} }), /Invalid task name 'Bad-Name'/);
  assert.throws(() => defineTask({ name: "x", version: 1.5, run() {} }), /expected an integer version/);
  assert.throws(
    () =>
      defineTask(
        { name: "x", version: 1, run() {}, cache: true } as unknown as Parameters<typeof defineTask>[0],
      ),
    /unknown field 'cache'/,
  );
});
