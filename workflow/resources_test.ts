import assert from "node:assert/strict";
import { checkResources, DEFAULT_RESOURCES, resolveResources } from "./resources.ts";
import { defineTask } from "./task.ts";

Deno.test("resources: defaults, then the task's declaration, then the profile's override", () => {
  assert.deepEqual(resolveResources(undefined, undefined), DEFAULT_RESOURCES);
  assert.deepEqual(resolveResources({ cpus: 2, minutes: 90 }, { gpus: 1, minutes: 600 }), {
    cpus: 2,
    memGiB: 4,
    gpus: 1,
    minutes: 600,
  });
});

Deno.test("resources: unknown keys and bad values are errors that name them", () => {
  assert.throws(
    () => checkResources({ cores: 2 }, "Task 'x': resources"),
    /Task 'x': resources: unknown resource 'cores': expected cpus, memGiB, gpus, minutes/,
  );
  assert.throws(() => checkResources({ cpus: 0 }, "here"), /here: cpus must be a whole number ≥ 1, got 0/);
  assert.throws(() => checkResources({ gpus: 1.5 }, "here"), /gpus must be a whole number ≥ 0, got 1.5/);
  assert.throws(() => checkResources({ memGiB: "8" }, "here"), /memGiB must be a number ≥ 0, got "8"/);
  assert.throws(() => checkResources([1], "here"), /expected an object/);
  assert.deepEqual(checkResources({ memGiB: 0.5 }, "here"), { memGiB: 0.5 });
  assert.throws(
    () => defineTask({ name: "t", version: 1, resources: { minutes: -1 }, run() {}, module: "file:///t.ts" }),
    /Task 't': resources: minutes must be a whole number ≥ 1, got -1/,
  );
});
