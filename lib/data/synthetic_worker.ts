/**
 * Web Worker that writes synthetic fields: receives `{ outDir, options, indices }`, plans the dataset (cheap and
 * deterministic) and writes each listed field, posting `{ index, cells }` after each and `{ done: true }` last.
 * @module
 */
import { planSyntheticDataset, writeSyntheticField } from "./synthetic.ts";
import type { SyntheticOptions } from "./synthetic_options.ts";

const scope = self as unknown as {
  onmessage: (e: MessageEvent) => void;
  postMessage(msg: unknown): void;
};

scope.onmessage = async (e: MessageEvent) => {
  const { outDir, options, indices } = e.data as {
    outDir: string;
    options: SyntheticOptions;
    indices: number[];
  };
  try {
    const plan = planSyntheticDataset(options);
    for (const index of indices) {
      scope.postMessage({ index, cells: await writeSyntheticField(outDir, plan, index) });
    }
    scope.postMessage({ done: true });
  } catch (err) {
    scope.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
};
