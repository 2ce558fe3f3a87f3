// Child process of wasm/threads_test.ts: a few training steps of every loss on the wasm backend with
// `threads` threads (Deno.args[0]); prints the backend's description and a SHA-256 of each run's losses
// and weights as JSON, then exits on its own (the pool's and XNNPACK's threads must not keep it alive).
import { selectBackend } from "../backend.ts";
import { train } from "../train.ts";
import { childCrops } from "./train_child_options.ts";

const threads = Number(Deno.args[0]);
const backend = await selectBackend("wasm", { threads });
const digests: Record<string, string> = {};
for (const width of [1 / 4, 1 / 16]) {
  for (const loss of ["dcgan", "lsgan", "wgan"] as const) {
    const r = await train(childCrops(), { loss, size: 16, width, batchSize: 12, steps: 3, seed: 9 });
    const { seconds: _wallClock, ...curves } = r.curves;
    const parts: Uint8Array[] = [new TextEncoder().encode(JSON.stringify(curves))];
    for (const [name, v] of await r.gan.values()) {
      parts.push(new TextEncoder().encode(name), new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    }
    r.gan.dispose();
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) all.set(p, (o += p.length) - p.length);
    const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
    digests[`${loss} w${width}`] = Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
  }
}
console.log(JSON.stringify({ detail: backend.detail, digests }));
