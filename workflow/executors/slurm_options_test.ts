import assert from "node:assert/strict";
import { defineTask } from "../task.ts";
import { parseScontrol, sbatchFlags } from "./slurm.ts";
import { checkSlurmOptions, mergeSlurmOptions } from "./slurm_options.ts";

const task = defineTask({ name: "train_x", version: 1, run() {}, module: "file:///t.ts" });

Deno.test("slurm options: checked keys and types; the command line wins over the profile", () => {
  assert.throws(
    () => checkSlurmOptions({ queue: "a" }, "Profile 'p': slurm"),
    /Profile 'p': slurm: unknown key 'queue'/,
  );
  assert.throws(() => checkSlurmOptions({ partition: "a b" }, "x"), /partition must be a name, got "a b"/);
  assert.throws(
    () => checkSlurmOptions({ sbatchArgs: "--qos=x" }, "x"),
    /sbatchArgs must be a list of strings/,
  );
  assert.deepEqual(
    mergeSlurmOptions({ partition: "cpu", sbatchArgs: ["--qos=long"] }, {
      partition: "main",
      sbatchArgs: ["-N1"],
    }),
    { partition: "main", sbatchArgs: ["--qos=long", "-N1"] },
  );
});

Deno.test("sbatch flags: the request, the GPU partition for GPU tasks, account and extra flags", () => {
  const o = { partition: "cpu", gpuPartition: "gpu", account: "lab", sbatchArgs: ["--qos=long"] };
  assert.deepEqual(sbatchFlags(task, { cpus: 4, memGiB: 1.5, gpus: 1, minutes: 90 }, o), [
    "--job-name=morphogan-train_x",
    "--cpus-per-task=4",
    "--mem=1536M",
    "--time=90",
    "--gres=gpu:1",
    "--partition=gpu",
    "--account=lab",
    "--qos=long",
  ]);
  assert.deepEqual(sbatchFlags(task, { cpus: 1, memGiB: 4, gpus: 0, minutes: 60 }, {}), [
    "--job-name=morphogan-train_x",
    "--cpus-per-task=1",
    "--mem=4096M",
    "--time=60",
  ]);
  assert.ok(sbatchFlags(task, { cpus: 1, memGiB: 4, gpus: 0, minutes: 60 }, o).includes("--partition=cpu"));
});

Deno.test("scontrol show job -o is read as key=value pairs", () => {
  const m = parseScontrol(
    "JobId=17 JobName=morphogan-train_x UserId=root(0) JobState=TIMEOUT Reason=TimeLimit Dependency=(null) " +
      "ExitCode=0:15 NodeList=n3",
  );
  assert.equal(m.get("JobState"), "TIMEOUT");
  assert.equal(m.get("Reason"), "TimeLimit");
  assert.equal(m.get("ExitCode"), "0:15");
  assert.equal(m.get("NodeList"), "n3");
});
