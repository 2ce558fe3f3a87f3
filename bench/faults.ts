/**
 * The fault campaign (tools/fault_campaign.ts) as a measurement: kills survived by kind, runs, seconds, and
 * how much was compared byte for byte with the uninterrupted run. `BENCH_FAULT_KILLS` (default 20) and
 * `BENCH_FAULT_SEED` (default 19) set the campaign. Writes bench/results/faults.json.
 * @module
 */
import { join } from "node:path";
import { runCampaign } from "../tools/fault_campaign.ts";

const CHECKPOINT_OFTEN = ["train_dcgan", "train_wgan", "train_lsgan", "train_vae", "train_bigan"].flatMap((
  t,
) => [
  "--param",
  `${t}.checkpointEvery=5`,
]);

/** Runs the campaign and writes its JSON. */
export async function main(): Promise<Record<string, unknown>> {
  const kills = Number(Deno.env.get("BENCH_FAULT_KILLS") ?? 20);
  const seed = Number(Deno.env.get("BENCH_FAULT_SEED") ?? 19);
  const dir = await Deno.makeTempDir({ prefix: "morphogan-bench-faults-" });
  try {
    const r = await runCampaign({
      root: new URL("..", import.meta.url).pathname,
      dir,
      kills,
      seed,
      args: CHECKPOINT_OFTEN,
      log: (l) => console.error(`  ${l}`),
    });
    const byKind: Record<string, number> = {};
    for (const k of r.kills) byKind[k.kind] = (byKind[k.kind] ?? 0) + 1;
    const results = {
      date: new Date().toISOString().slice(0, 10),
      profile: "tiny",
      seed,
      killsSurvived: r.kills.length,
      byKind,
      runs: r.runs,
      runsThatFinishedBeforeTheirKill: r.finishedFirst,
      seconds: { uninterrupted: round(r.seconds.reference), campaign: round(r.seconds.campaign) },
      compared: r.compared,
      identical: r.mismatches.length === 0,
      mismatches: r.mismatches,
      tmpLeft: r.tmpLeft.length,
      orphans: r.orphans,
      kills: r.kills,
    };
    const out = new URL("./results/faults.json", import.meta.url).pathname;
    await Deno.writeTextFile(`${out}.tmp`, JSON.stringify(results, null, 2) + "\n");
    await Deno.rename(`${out}.tmp`, out);
    return results;
  } finally {
    await Deno.remove(join(dir), { recursive: true });
  }
}

const round = (x: number) => Math.round(x * 10) / 10;
