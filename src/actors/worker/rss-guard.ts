import { readFile } from "node:fs/promises";

/** Resident set size of a process in bytes, from /proc (Linux); null where it cannot be read. */
export async function readRssBytes(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Polls a worker's RSS and calls `onExceeded` once when it passes the limit. Returns a stop function. */
export function watchRss(pid: number, limitBytes: number, onExceeded: (rss: number) => void, intervalMs = 1000): () => void {
  let fired = false;
  const timer = setInterval(() => {
    void readRssBytes(pid).then((rss) => {
      if (!fired && rss !== null && rss > limitBytes) {
        fired = true;
        onExceeded(rss);
      }
    });
  }, intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
