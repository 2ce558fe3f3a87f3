/**
 * Run progress for people. In a terminal: one live line per running task with a bar, rate and ETA, redrawn in
 * place. Elsewhere (CI, pipes): plain timestamped lines, a progress line per task at most every 10 s.
 * Messages go to stderr; the final summary table goes to stdout.
 * @module
 */
import { formatDuration } from "./fsutil.ts";

/** Progress state of one running task. */
export interface TaskProgress {
  done: number;
  total: number;
  unit: string;
  note: string;
}

/** Receives run events. */
export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
  taskStarted(task: string, reasons: string[]): void;
  taskProgress(task: string, progress: TaskProgress): void;
  taskLog(task: string, level: string, message: string): void;
  taskFinished(task: string, state: "ran" | "failed" | "cancelled", ms: number): void;
  /** Stops live redrawing. */
  close(): void;
}

const time = () => new Date().toISOString().slice(11, 19);

interface Running {
  started: number;
  progress?: TaskProgress;
  lastPrinted: number;
  /** (time, done) samples for the rate. */
  samples: [number, number][];
}

function rateAndEta(r: Running): { rate: number; eta: number | undefined } {
  const p = r.progress;
  if (!p || r.samples.length < 2) return { rate: 0, eta: undefined };
  const [t0, d0] = r.samples[0];
  const [t1, d1] = r.samples[r.samples.length - 1];
  const rate = t1 > t0 ? ((d1 - d0) * 1000) / (t1 - t0) : 0;
  const eta = rate > 0 && p.total > 0 ? ((p.total - p.done) / rate) * 1000 : undefined;
  return { rate, eta };
}

function progressText(r: Running, now: number, barWidth: number): string {
  const p = r.progress;
  const elapsed = formatDuration(now - r.started);
  if (!p || p.total <= 0) return `${elapsed}${p?.note ? `  ${p.note}` : ""}`;
  const frac = Math.max(0, Math.min(1, p.done / p.total));
  const filled = Math.round(frac * barWidth);
  const bar = barWidth > 0 ? `[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}] ` : "";
  const { rate, eta } = rateAndEta(r);
  const rateText = rate > 0 ? `, ${rate >= 10 ? rate.toFixed(0) : rate.toFixed(2)} ${p.unit}/s` : "";
  const etaText = eta !== undefined ? `, ETA ${formatDuration(eta)}` : "";
  return `${bar}${
    (frac * 100).toFixed(0)
  }% (${p.done}/${p.total} ${p.unit}${rateText}${etaText}, ${elapsed})${p.note ? `  ${p.note}` : ""}`;
}

/** Creates the reporter suited to stderr: live lines in a terminal, plain lines otherwise. */
export function createReporter(opts: { live?: boolean; verbose?: boolean } = {}): Reporter {
  const live = opts.live ?? (Deno.stderr.isTerminal() && !Deno.env.get("CI"));
  return live ? new LiveReporter(opts.verbose ?? false) : new PlainReporter(opts.verbose ?? false);
}

function track(running: Map<string, Running>, task: string, progress: TaskProgress): Running | undefined {
  const r = running.get(task);
  if (!r) return;
  const now = Date.now();
  r.progress = { ...progress };
  r.samples.push([now, progress.done]);
  // Rate over the last 30 s.
  while (r.samples.length > 2 && now - r.samples[0][0] > 30_000) r.samples.shift();
  return r;
}

class PlainReporter implements Reporter {
  #running = new Map<string, Running>();
  #verbose: boolean;
  constructor(verbose: boolean) {
    this.#verbose = verbose;
  }
  #print(line: string) {
    console.error(`[${time()}] ${line}`);
  }
  info(message: string) {
    this.#print(message);
  }
  warn(message: string) {
    this.#print(`warning: ${message}`);
  }
  taskStarted(task: string, reasons: string[]) {
    this.#running.set(task, { started: Date.now(), lastPrinted: Date.now(), samples: [] });
    this.#print(`${task}: started (${reasons.join("; ")})`);
  }
  taskProgress(task: string, progress: TaskProgress) {
    const r = track(this.#running, task, progress);
    if (!r) return;
    const now = Date.now();
    const finished = progress.total > 0 && progress.done >= progress.total;
    if (now - r.lastPrinted >= 10_000 || finished) {
      r.lastPrinted = now;
      this.#print(`${task}: ${progressText(r, now, 0)}`);
    }
  }
  taskLog(task: string, level: string, message: string) {
    if (level === "warn" || level === "error" || (this.#verbose && level === "info")) {
      this.#print(`${task}: ${level === "info" ? "" : `${level}: `}${message}`);
    }
  }
  taskFinished(task: string, state: string, ms: number) {
    this.#running.delete(task);
    this.#print(`${task}: ${state} in ${formatDuration(ms)}`);
  }
  close() {}
}

class LiveReporter implements Reporter {
  #running = new Map<string, Running>();
  #drawn = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #verbose: boolean;
  #enc = new TextEncoder();
  constructor(verbose: boolean) {
    this.#verbose = verbose;
  }
  #write(text: string) {
    Deno.stderr.writeSync(this.#enc.encode(text));
  }
  #clear() {
    if (this.#drawn > 0) this.#write(`\x1b[${this.#drawn}A\x1b[J`);
    this.#drawn = 0;
  }
  #draw() {
    this.#clear();
    const now = Date.now();
    let cols = 100;
    try {
      cols = Deno.consoleSize().columns;
    } catch { /* not a terminal after all */ }
    if (cols < 40) cols = 100;
    const lines = [...this.#running].map(([task, r]) => {
      const line = `  ${task.padEnd(14)} ${progressText(r, now, 24)}`;
      return line.length > cols - 1 ? line.slice(0, cols - 2) + "…" : line;
    });
    if (lines.length) this.#write(lines.join("\n") + "\n");
    this.#drawn = lines.length;
  }
  #above(line: string) {
    this.#clear();
    this.#write(`${line}\n`);
    this.#draw();
  }
  #ensureTimer() {
    this.#timer ??= setInterval(() => this.#draw(), 250);
  }
  info(message: string) {
    this.#above(message);
  }
  warn(message: string) {
    this.#above(`warning: ${message}`);
  }
  taskStarted(task: string, reasons: string[]) {
    this.#running.set(task, { started: Date.now(), lastPrinted: 0, samples: [] });
    this.#above(`▶ ${task} (${reasons.join("; ")})`);
    this.#ensureTimer();
  }
  taskProgress(task: string, progress: TaskProgress) {
    track(this.#running, task, progress);
  }
  taskLog(task: string, level: string, message: string) {
    if (level === "warn" || level === "error" || (this.#verbose && level === "info")) {
      this.#above(`  ${task}: ${level === "info" ? "" : `${level}: `}${message}`);
    }
  }
  taskFinished(task: string, state: string, ms: number) {
    this.#running.delete(task);
    this.#above(`${state === "ran" ? "✔" : "✘"} ${task} ${state} in ${formatDuration(ms)}`);
    if (this.#running.size === 0) this.close();
  }
  close() {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#clear();
  }
}
