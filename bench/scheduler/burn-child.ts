import { execa } from "execa";

/** A stand-in task: a real child process that keeps `cores` cores busy (duty-cycled worker threads)
 * for `wallMs` while holding `ramBytes` of resident memory. It runs for wall time, not for an amount of
 * CPU: on a machine shared with other people's builds, CPU-counted tasks would measure their load,
 * not the scheduler. The cost is that oversubscription does not slow a task down here, which favours
 * the FIFO baseline (it is the one that oversubscribes), so the comparison is conservative. */
export interface BurnSpec {
  cores: number;
  wallMs: number;
  ramBytes: number;
}

export interface BurnResult {
  wallMs: number;
  /** Peak RSS the child saw, bytes. */
  peakRssBytes: number;
  /** CPU the child used, ms. */
  cpuMs: number;
}

// Plain JS for `node -e`: a tsx child would spend more CPU starting than a thumbnail burns.
const CHILD = String.raw`
const { Worker } = require("node:worker_threads");
const spec = JSON.parse(process.argv[1]);
const chunks = [];
for (let left = spec.ramBytes; left > 0; left -= 256 * 1024 * 1024) {
  chunks.push(Buffer.allocUnsafe(Math.min(left, 256 * 1024 * 1024)).fill(7));
}
const n = Math.max(1, Math.ceil(spec.cores));
const duty = spec.cores / n;
const src = "const { workerData } = require('node:worker_threads');" +
  "const sab = new Int32Array(new SharedArrayBuffer(4)); const period = 20;" +
  "for (;;) { const t = performance.now(); while (performance.now() - t < period * workerData) {}" +
  " if (workerData < 1) Atomics.wait(sab, 0, 0, period * (1 - workerData)); }";
const workers = Array.from({ length: n }, () => new Worker(src, { eval: true, workerData: duty }));
const start = performance.now();
let peak = process.memoryUsage().rss;
const timer = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
  if (performance.now() - start >= spec.wallMs) {
    clearInterval(timer);
    const used = process.cpuUsage();
    process.stdout.write(JSON.stringify({ peakRssBytes: peak, cpuMs: (used.user + used.system) / 1000, held: chunks.length }));
    process.exit(0);
  }
}, 10);
void workers;
`;

export async function runBurn(spec: BurnSpec, options: { signal?: AbortSignal; onPid?: (pid: number) => void } = {}): Promise<BurnResult> {
  const started = performance.now();
  const child = execa(process.execPath, ["-e", CHILD, JSON.stringify(spec)], options.signal ? { cancelSignal: options.signal } : {});
  if (child.pid !== undefined) options.onPid?.(child.pid);
  const { stdout } = await child;
  const parsed = JSON.parse(stdout) as { peakRssBytes: number; cpuMs: number };
  return { wallMs: performance.now() - started, peakRssBytes: parsed.peakRssBytes, cpuMs: parsed.cpuMs };
}
