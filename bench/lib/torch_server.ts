/**
 * A kept `bench/train_torch.py serve` process: PyTorch CPU training steps of a case on request, so that a
 * benchmark times each of our steps right beside PyTorch's (the machine's speed drifts: consecutive runs of
 * the same step here differ by up to 40 %). A case's trainer is made and stepped once (warm-up) on its first
 * request.
 *
 * @module
 */
import type { GanLoss } from "../../lib/models/gan.ts";

/** The Python with torch (Debian: `apt-get install python3-torch`). */
export const PYTHON = "/usr/bin/python3";

/** Options of {@link TorchServer}. */
export interface TorchServerOptions {
  /** network width of every case unless a request says otherwise (default 1) */
  width?: number;
  /** `torch.set_num_threads` (default 1) */
  threads?: number;
  /** channels_last memory format (default true: faster here) */
  channelsLast?: boolean;
}

/** See the module doc. */
export class TorchServer {
  readonly #proc: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: ReadableStreamDefaultReader<string>;
  #pending = "";

  constructor(options: TorchServerOptions = {}) {
    const config = {
      width: options.width ?? 1,
      threads: options.threads ?? 1,
      channelsLast: options.channelsLast ?? true,
    };
    this.#proc = new Deno.Command(PYTHON, {
      args: [new URL("../train_torch.py", import.meta.url).pathname, "serve", JSON.stringify(config)],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
      // OpenMP's threads otherwise spin for a while after each of PyTorch's steps, on the cores our step
      // that follows runs on.
      env: { OMP_WAIT_POLICY: "PASSIVE" },
    }).spawn();
    this.#writer = this.#proc.stdin.getWriter();
    this.#lines = this.#proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
  }

  async #request(req: object): Promise<number[]> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(req) + "\n"));
    while (!this.#pending.includes("\n")) {
      const { value, done } = await this.#lines.read();
      if (done) throw new Error("train_torch.py serve ended early");
      this.#pending += value;
    }
    const i = this.#pending.indexOf("\n"), line = this.#pending.slice(0, i);
    this.#pending = this.#pending.slice(i + 1);
    return (JSON.parse(line) as { seconds: number[] }).seconds;
  }

  /** Seconds of `n` timed steps of a case (after its warm-up step, on its first request). */
  steps(loss: GanLoss, size: number, batch: number, n: number, width?: number): Promise<number[]> {
    return this.#request({ loss, size, batch, steps: n, ...(width === undefined ? {} : { width }) });
  }

  /** Frees a case's trainer. */
  async drop(loss: GanLoss, size: number, batch: number, width?: number): Promise<void> {
    await this.#request({ loss, size, batch, drop: true, ...(width === undefined ? {} : { width }) });
  }

  /** Ends the process. */
  async close(): Promise<void> {
    await this.#writer.close().catch(() => {});
    await this.#proc.status;
  }
}

/** torch's version, or null when `PYTHON` has none. */
export async function torchAvailable(): Promise<string | null> {
  try {
    const out = await new Deno.Command(PYTHON, {
      args: ["-c", "import torch; print(torch.__version__)"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  } catch {
    return null;
  }
}
