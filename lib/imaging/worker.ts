/**
 * Web Worker entry of the segmentation pool (plate.ts): receives `{id, job}` with a
 * {@linkcode SumJob} or {@linkcode SegmentJob}, answers `{id, ok: true, result}` or
 * `{id, ok: false, error}`. Workers inherit the parent's permissions (read the dataset, write shards).
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { segmentFieldsJob, type SegmentJob, sumFieldsJob, type SumJob } from "./plate.ts";

self.onmessage = async (e: MessageEvent<{ id: number; job: SumJob | SegmentJob }>) => {
  const { id, job } = e.data;
  try {
    const result = job.kind === "sum" ? await sumFieldsJob(job) : await segmentFieldsJob(job);
    self.postMessage({ id, ok: true, result });
  } catch (err) {
    self.postMessage({ id, ok: false, error: (err as Error)?.stack ?? String(err) });
  }
};
