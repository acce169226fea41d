import { readdir, readFile } from "node:fs/promises";

/** Resident set size of a process and all its descendants in bytes, from /proc (Linux): a worker's
 * gdal, ffmpeg or 7zz children count against its grant too. Null where /proc cannot be read. */
export async function readTreeRssBytes(rootPid: number): Promise<number | null> {
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return null;
  }
  const parentOf = new Map<number, number>();
  const rssOf = new Map<number, number>();
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (e) => {
        const status = await readFile(`/proc/${e}/status`, "utf8").catch(() => null);
        if (!status) return;
        const ppid = /^PPid:\s+(\d+)/m.exec(status);
        const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
        if (ppid) parentOf.set(Number(e), Number(ppid[1]));
        if (rss) rssOf.set(Number(e), Number(rss[1]) * 1024);
      }),
  );
  if (!parentOf.has(rootPid)) return null;
  let total = 0;
  for (const [pid] of parentOf) {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 64; p = parentOf.get(p), hops++) {
      if (p === rootPid) {
        total += rssOf.get(pid) ?? 0;
        break;
      }
    }
  }
  return total;
}

/** Polls a worker tree's RSS and calls `onExceeded` once when it passes the limit. Returns a stop function. */
export function watchRss(pid: number, limitBytes: number, onExceeded: (rss: number) => void, intervalMs = 1000): () => void {
  let fired = false;
  const timer = setInterval(() => {
    void readTreeRssBytes(pid).then((rss) => {
      if (!fired && rss !== null && rss > limitBytes) {
        fired = true;
        onExceeded(rss);
      }
    });
  }, intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
