import type { Progress } from "../processor.ts";

/** Default: 250 ms — the service throttles to one message per 2 s anyway; this only spares CPU. */
export const PROGRESS_INTERVAL_MS = 250;

/** Wraps a progress callback so per-chunk calls cost nothing; `flush` always reports. */
export function throttleProgress(report: (p: Progress) => void, label: string, intervalMs = PROGRESS_INTERVAL_MS) {
  let last = 0;
  let latest: Progress = { done: 0, total: 0, label };
  return {
    update: (done: number, total: number): void => {
      latest = { done, total, label };
      const now = Date.now();
      if (now - last >= intervalMs) {
        last = now;
        report(latest);
      }
    },
    flush(): void {
      report(latest);
    },
    /** The stage is done: report done = total (the last known total, else `fallbackTotal`). */
    complete(fallbackTotal: number): void {
      const total = latest.total > 0 ? latest.total : fallbackTotal;
      latest = { done: total, total, label };
      report(latest);
    },
  };
}

/** Output `format` from a path's extension: `a/b.LAS` → `las`; none → `bin`. */
export function formatOfPath(path: string): string {
  const base = path.split("/").pop() ?? "";
  const dot = base.lastIndexOf(".");
  return dot > 0 && dot < base.length - 1 ? base.slice(dot + 1).toLowerCase() : "bin";
}
