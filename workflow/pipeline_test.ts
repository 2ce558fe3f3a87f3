import assert from "node:assert/strict";
import { definePipeline, wire } from "./pipeline.ts";
import { p } from "./params.ts";
import { defineTask, oneOf } from "./task.ts";

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

Deno.test("oneOf inputs are wired per profile; tasks feeding only unpicked alternatives drop out", () => {
  const fields = defineTask({ name: "fields", version: 1, run() {} });
  const segment = defineTask({ name: "segment", version: 1, inputs: { fields }, run() {} });
  const crops = defineTask({ name: "crops", version: 1, run() {} });
  const train = defineTask({ name: "train", version: 1, inputs: { cells: oneOf(segment, crops) }, run() {} });
  const pipeline = definePipeline({
    module: import.meta.url,
    tasks: [fields, segment, crops, train],
    profiles: [profile(), {
      name: "real",
      description: "",
      params: {},
      inputs: { train: { cells: "crops" } },
    }],
    defaultProfile: "default",
  });
  const byDefault = wire(pipeline, "default");
  assert.deepEqual(byDefault.tasks.map((t) => t.name), ["fields", "segment", "train"]);
  assert.deepEqual(byDefault.inputs.get("train")!.map(([n, t]) => [n, t.name]), [["cells", "segment"]]);
  const real = wire(pipeline, "real");
  assert.deepEqual(real.tasks.map((t) => t.name), ["crops", "train"]);
  assert.deepEqual(real.inputs.get("train")!.map(([n, t]) => [n, t.name]), [["cells", "crops"]]);
  const bad = (inputs: Record<string, Record<string, string>>) =>
    definePipeline({
      module: import.meta.url,
      tasks: [fields, segment, crops, train],
      profiles: [{ name: "default", description: "", params: {}, inputs }],
      defaultProfile: "default",
    });
  assert.throws(
    () => bad({ train: { cells: "fields" } }),
    /wires 'train.cells' to 'fields': expected one of segment, crops/,
  );
  assert.throws(
    () => bad({ segment: { fields: "crops" } }),
    /expected one of the oneOf alternatives \(it is fixed to fields\)/,
  );
  assert.throws(() => bad({ train: { pixels: "crops" } }), /wires unknown input 'train.pixels'/);
  assert.throws(() => bad({ nope: {} }), /wires inputs of unknown task 'nope'/);
});

Deno.test("profiles: resources per task and slurm settings are checked; unknown fields are errors", () => {
  const make = (extra: Record<string, unknown>) => () =>
    definePipeline({
      module: import.meta.url,
      tasks: [a, b],
      profiles: [{ ...profile(), ...extra }],
      defaultProfile: "default",
    });
  make({ resources: { b: { gpus: 1, minutes: 600 } }, slurm: { gpuPartition: "gpu" } })();
  assert.throws(
    make({ resources: { nope: { cpus: 1 } } }),
    /Profile 'default' sets resources of unknown task 'nope'/,
  );
  assert.throws(make({ resources: { a: { gpu: 1 } } }), /resources of 'a': unknown resource 'gpu'/);
  assert.throws(make({ slurm: { partitions: "x" } }), /Profile 'default': slurm: unknown key 'partitions'/);
  assert.throws(make({ executor: "slurm" }), /Profile 'default': unknown field 'executor'/);
});
