/**
 * The command line of a pipeline: `reproduce`, `status`, `results` and `gc`. A pipeline module ends with
 * `if (import.meta.main) await main(pipeline);`.
 * @module
 */
import { parseArgs } from "node:util";
import { isAbsolute, join, relative, resolve } from "node:path";
import { formatBytes, formatDuration } from "./fsutil.ts";
import { EXECUTOR_NAMES, type ExecutorName } from "./executor.ts";
import { checkSlurmOptions, mergeSlurmOptions } from "./executors/slurm_options.ts";
import { collectGarbage } from "./gc.ts";
import { parseParamArgs } from "./params.ts";
import type { Pipeline } from "./pipeline.ts";
import { createReporter } from "./progress.ts";
import { planPipeline, type RunOptions, runPipeline, summaryTable, TaskFailure } from "./run.ts";

const USAGE = `Usage:
  reproduce [--profile P] [--only T,..] [--until T,..] [--force T,..|all] [--dry-run]
            [--param task.key=value]... [--jobs N] [--threads N] [--no-wait] [--backend B] [--log-level L]
            [--verbose] [--no-<after step>]  skip the step run after the DAG (e.g. --no-site)
            [--executor process|inline|slurm] [--slurm-partition P] [--slurm-gpu-partition P]
            [--slurm-account A] [--slurm-arg FLAG]...
  status    [--profile P] [--json] [--param task.key=value]... [--force T,..|all]
  results   [--profile P]   the headline of the exported results, running nothing
  gc        [--dry-run] [--checkpoints]
Common: [--cache DIR] [--results DIR]`;

/** A user error: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}

const list = (v: string[] | undefined) =>
  (v ?? []).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);

/** Runs one CLI command; returns the process exit code. */
export async function runCli(pipeline: Pipeline, argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h") {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        profile: { type: "string" },
        only: { type: "string", multiple: true },
        until: { type: "string", multiple: true },
        force: { type: "string", multiple: true },
        "dry-run": { type: "boolean" },
        param: { type: "string", multiple: true },
        jobs: { type: "string" },
        threads: { type: "string" },
        executor: { type: "string" },
        "slurm-partition": { type: "string" },
        "slurm-gpu-partition": { type: "string" },
        "slurm-account": { type: "string" },
        "slurm-arg": { type: "string", multiple: true },
        "no-wait": { type: "boolean" },
        backend: { type: "string" },
        "log-level": { type: "string" },
        verbose: { type: "boolean" },
        json: { type: "boolean" },
        checkpoints: { type: "boolean" },
        cache: { type: "string" },
        results: { type: "string" },
        ...(pipeline.after ? { [`no-${pipeline.after.name}`]: { type: "boolean" as const } } : {}),
      },
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
  const root = pipeline.root;
  const abs = (
    p: string | undefined,
    def: string,
  ) => (p ? (isAbsolute(p) ? p : resolve(p)) : join(root, def));
  const cacheDir = abs(values.cache, "cache");
  const resultsDir = abs(values.results, "results");
  const profile = values.profile ?? pipeline.defaultProfile;
  if (!pipeline.profiles[profile]) {
    throw new UsageError(
      `Unknown profile '${profile}': profiles are ${Object.keys(pipeline.profiles).join(", ")}`,
    );
  }
  const taskNames = pipeline.tasks.map((t) => t.name);
  const params = parseParamArgs(
    values.param ?? [],
    (name) => pipeline.tasks.find((t) => t.name === name)?.params,
    taskNames,
  );
  const executor = values.executor ?? "process";
  if (!EXECUTOR_NAMES.includes(executor as ExecutorName)) {
    throw new UsageError(`--executor: expected one of ${EXECUTOR_NAMES.join(", ")}, got '${executor}'`);
  }
  let slurm;
  try {
    slurm = mergeSlurmOptions(
      pipeline.profiles[profile].slurm,
      checkSlurmOptions({
        ...(values["slurm-partition"] ? { partition: values["slurm-partition"] } : {}),
        ...(values["slurm-gpu-partition"] ? { gpuPartition: values["slurm-gpu-partition"] } : {}),
        ...(values["slurm-account"] ? { account: values["slurm-account"] } : {}),
        ...(values["slurm-arg"] ? { sbatchArgs: values["slurm-arg"] } : {}),
      }, "--slurm-*"),
    );
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  // On a cluster, jobs wait in Slurm's queue rather than for this machine's cores.
  let jobs = executor === "slurm" ? 64 : navigator.hardwareConcurrency;
  if (values.jobs !== undefined) {
    jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) {
      throw new UsageError(`--jobs: expected an integer ≥ 1, got '${values.jobs}'`);
    }
  }
  let threads = navigator.hardwareConcurrency;
  if (values.threads !== undefined) {
    threads = Number(values.threads);
    if (!Number.isInteger(threads) || threads < 1) {
      throw new UsageError(`--threads: expected an integer ≥ 1, got '${values.threads}'`);
    }
  }
  const logLevel = values["log-level"] ?? "info";
  if (!["debug", "info", "warn"].includes(logLevel)) {
    throw new UsageError(`--log-level: expected debug, info or warn, got '${logLevel}'`);
  }
  const force = list(values.force);
  const reporter = createReporter({ verbose: values.verbose || logLevel === "debug" });
  const opts: RunOptions = {
    pipeline,
    profile,
    params,
    only: list(values.only),
    until: list(values.until),
    force: force.includes("all") ? "all" : force,
    settings: {
      jobs,
      backend: values.backend ?? "auto",
      logLevel,
      threads,
      executor,
      ...(executor === "slurm" ? { slurm } : {}),
    },
    wait: !values["no-wait"],
    cacheDir,
    resultsDir,
    reporter,
  };
  const shown = (p: string) => {
    const rel = relative(Deno.cwd(), p) || ".";
    return rel.startsWith("..") ? p : rel;
  };

  switch (command) {
    case "status": {
      const plans = await planPipeline(opts);
      if (values.json) {
        console.log(JSON.stringify(plans, null, 2));
        return 0;
      }
      const w = Math.max(4, ...plans.map((p) => p.task.length));
      console.log(`profile ${profile}, cache ${shown(cacheDir)}`);
      for (const p of plans) {
        const why = p.state === "run" ? p.reasons.join("; ") : (p.key ?? "").slice(0, 12);
        console.log(`${p.task.padEnd(w)}  ${p.state.padEnd(6)}  ${why}`);
      }
      const n = plans.filter((p) => p.state === "run").length;
      console.log(n ? `${n} of ${plans.length} tasks would run` : "everything is cached");
      return 0;
    }
    case "reproduce": {
      if (values["dry-run"]) {
        const plans = await planPipeline(opts);
        for (const p of plans) {
          if (p.state === "run") console.log(`would run ${p.task}: ${p.reasons.join("; ")}`);
        }
        console.log(
          `dry run: ${plans.filter((p) => p.state === "run").length} of ${plans.length} tasks would run`,
        );
        return 0;
      }
      const controller = new AbortController();
      opts.signal = controller.signal;
      let interrupts = 0;
      const onInt = () => {
        interrupts++;
        if (interrupts > 1) Deno.exit(130);
        reporter.warn("interrupted: cancelling running tasks (Ctrl-C again to quit at once)");
        controller.abort();
      };
      Deno.addSignalListener("SIGINT", onInt);
      try {
        reporter.info(`profile ${profile}: ${pipeline.profiles[profile].description}`);
        const summary = await runPipeline(opts);
        reporter.close();
        console.log(summaryTable(summary));
        if (summary.results) console.log(`results: ${shown(summary.results)}/`);
        const after = pipeline.after;
        const skip = after && (values as Record<string, unknown>)[`no-${after.name}`];
        if (after && summary.results && !skip) {
          const t = Date.now();
          try {
            const line = await after.run({
              root,
              resultsDir,
              profile,
              log: (l) => reporter.info(`${after.name}: ${l}`),
            });
            console.log(`${after.name}: ${line} (${formatDuration(Date.now() - t)})`);
          } catch (e) {
            console.error(
              `${after.name} failed: ${(e as Error).message} (the results are in place; rerun to retry)`,
            );
            return 1;
          }
        }
        if (pipeline.headline && summary.results) {
          console.log(`\n${await pipeline.headline({ root, resultsDir, profile })}`);
        }
        return 0;
      } catch (e) {
        reporter.close();
        if (e instanceof TaskFailure) {
          console.log(summaryTable(e.summary));
          console.error(e.message);
          return controller.signal.aborted ? 130 : 1;
        }
        throw e;
      } finally {
        Deno.removeSignalListener("SIGINT", onInt);
      }
    }
    case "results": {
      if (!pipeline.headline) throw new UsageError("This pipeline prints no headline of its results");
      try {
        await Deno.stat(join(resultsDir, profile, "run.json"));
      } catch {
        throw new UsageError(
          `No results of profile '${profile}' in ${
            shown(resultsDir)
          }/ (no ${profile}/run.json): run reproduce --profile ${profile} first`,
        );
      }
      console.log(await pipeline.headline({ root, resultsDir, profile }));
      return 0;
    }
    case "gc": {
      const r = await collectGarbage(cacheDir, {
        dryRun: values["dry-run"],
        checkpoints: values.checkpoints,
        wait: !values["no-wait"],
        onWait: (m) => console.error(m),
      });
      console.log(
        `${
          values["dry-run"] ? "would remove" : "removed"
        } ${r.removedObjects.length} objects, kept ${r.keptObjects}; ` +
          `${values["dry-run"] ? "would free" : "freed"} ${formatBytes(r.freedBytes)}`,
      );
      return 0;
    }
    default:
      throw new UsageError(`Unknown command '${command}'\n${USAGE}`);
  }
}

/** Runs the CLI on `Deno.args` and exits with its code; errors are printed without stack traces. */
export async function main(pipeline: Pipeline): Promise<never> {
  const t0 = Date.now();
  let code: number;
  try {
    code = await runCli(pipeline, Deno.args);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    code = e instanceof UsageError ? 2 : 1;
  }
  if (Deno.env.get("MORPHOGAN_TIMING")) console.error(`(${formatDuration(Date.now() - t0)})`);
  Deno.exit(code);
}
