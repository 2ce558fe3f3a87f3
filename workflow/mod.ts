/**
 * The morphogan workflow engine: a content-hashed, cached task DAG. It knows nothing of cells.
 *
 * - {@link defineTask} declares a task; {@link p} declares its typed params.
 * - {@link definePipeline} lists the tasks in order with their profiles; {@link main} is its command line.
 * @module
 */
export { defineTask, oneOf } from "./task.ts";
export type { Alternatives, AnyTask, Logger, Progress, RunSettings, Task, TaskContext } from "./task.ts";
export { p } from "./params.ts";
export type { ParamSpec, ParamValues } from "./params.ts";
export { definePipeline, defineProfile } from "./pipeline.ts";
export type { AfterContext, AfterStep, Headline, Overrides, Pipeline, Profile } from "./pipeline.ts";
export { main, runCli } from "./cli.ts";
export { ENGINE_VERSION } from "./plan.ts";
export { planPipeline, runPipeline } from "./run.ts";
