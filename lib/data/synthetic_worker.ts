/**
 * Web Worker that writes synthetic fields: receives `{ outDir, options, indices }`, plans the dataset (cheap and
 * deterministic) and writes each listed field, posting `{ index, cells }` after each and `{ done: true }` last.
 * `{ stop: true }` makes it stop after the field it is writing and post `{ stopped: true }`.
 * @module
 */
import { planSyntheticDataset, writeSyntheticField } from "./synthetic.ts";
import type { SyntheticOptions } from "./synthetic_options.ts";

const scope = self as unknown as {
  onmessage: (e: MessageEvent) => void;
  postMessage(msg: unknown): void;
};

let stopping = false;

scope.onmessage = async (e: MessageEvent) => {
  if ((e.data as { stop?: boolean }).stop) {
    stopping = true;
    return;
  }
  const { outDir, options, indices } = e.data as {
    outDir: string;
    options: SyntheticOptions;
    indices: number[];
  };
  try {
    const plan = planSyntheticDataset(options);
    for (const index of indices) {
      if (stopping) {
        scope.postMessage({ stopped: true });
        return;
      }
      scope.postMessage({ index, cells: await writeSyntheticField(outDir, plan, index) });
    }
    scope.postMessage({ done: true });
  } catch (err) {
    scope.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
};
