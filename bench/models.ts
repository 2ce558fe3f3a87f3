/**
 * The training cost of every model of the registry (lib/models/registry.ts) at the sizes the CPU profiles
 * train (quick and real-moa: 32 px, w = 0.25, batch 64), on the wasm backend with one thread: the seconds
 * of one step (its networks' forward and backward passes) per model, and relative to LSGAN's. Rounds
 * alternate between the models, so that each sees the same machine; the median over rounds.
 *
 * Writes bench/results/models.json.
 * @module
 */
import { selectBackend } from "../lib/models/backend.ts";
import { MODELS } from "../lib/models/registry.ts";
import { Rng } from "../lib/models/rng.ts";
import { GanTrainer, trainSettings } from "../lib/models/train.ts";

const SIZE = 32, WIDTH = 0.25, BATCH = 64;
const ROUNDS = Number(Deno.env.get("BENCH_MODELS_ROUNDS") ?? 7);
const STEPS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** Runs the benchmark and writes its JSON. */
export async function main(): Promise<Record<string, unknown>> {
  const backend = await selectBackend("wasm", { threads: 1 });
  const crops = new Rng(1).fillNormal(new Float32Array(4 * BATCH * SIZE * SIZE * 3), 0.5).map(Math.tanh);
  const trainers = MODELS.map((m) =>
    new GanTrainer(crops, trainSettings({ loss: m.loss, size: SIZE, width: WIDTH, batchSize: BATCH }))
  );
  for (const t of trainers) await t.runStep(); // warm-up: operator creation, memory growth
  const times: number[][] = MODELS.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, t] of trainers.entries()) {
      const t0 = performance.now();
      for (let k = 0; k < STEPS; k++) await t.runStep();
      times[i].push((performance.now() - t0) / 1000 / STEPS);
    }
  }
  for (const t of trainers) t.dispose();
  const lsgan = median(times[MODELS.findIndex((m) => m.id === "lsgan")]);
  const rows = MODELS.map((m, i) => ({
    model: m.id,
    kind: m.kind,
    secondsPerStep: round(median(times[i])),
    relativeToLsgan: round(median(times[i]) / lsgan),
    rounds: times[i].map(round),
  }));
  for (const r of rows) {
    console.error(`  ${r.model}: ${r.secondsPerStep} s/step (${r.relativeToLsgan}× LSGAN's)`);
  }
  const results = {
    date: new Date().toISOString().slice(0, 10),
    backend: `${backend.name}: ${backend.detail}`,
    case: { size: SIZE, width: WIDTH, batch: BATCH, stepsPerRound: STEPS, rounds: ROUNDS },
    models: rows,
  };
  const out = new URL("./results/models.json", import.meta.url);
  const tmp = new URL("./results/models.json.tmp", import.meta.url);
  await Deno.writeTextFile(tmp, JSON.stringify(results, null, 2) + "\n");
  await Deno.rename(tmp, out);
  return results;
}
