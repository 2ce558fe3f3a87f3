/**
 * The jobs a worker of {@link ./pool.ts} can run, by name: the parts of our kernels that split across
 * threads. The pool sends a job's index in this list.
 *
 * @module
 */
import type { Job } from "./pool.ts";
import { convRows } from "./conv_simd.ts";
import { filterGradTaps } from "./filter_grad_simd.ts";

/** Every pool job by the name its kernel passes to {@link ./pool.ts}'s `parallelFor`. */
export const JOBS: Readonly<Record<string, Job>> = { convRows, filterGradTaps };
