import { readdirSync, readFileSync } from "node:fs";

/** /proc is read synchronously: its files are made by the kernel on read, never wait on a disk, and
 * cost microseconds, where each async read is four trips through libuv's pool and the event loop.
 * A pass over 20 busy workers' process table was some 600 of them a second on the main thread. */
const readProc = (path: string): string | null => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
};
const listProc = (path: string): string[] | null => {
  try {
    return readdirSync(path);
  } catch {
    return null;
  }
};

/** Every process on the node: its parent and its RSS in bytes. */
interface ProcessTable {
  parentOf: Map<number, number>;
  rssOf: Map<number, number>;
}

/** Resident set size of a process and all its descendants in bytes, from /proc (Linux): a worker's
 * gdal, ffmpeg or 7zz children count against its grant too. Null where /proc cannot be read.
 * Walks the tree down from the root (`/proc/<pid>/task/<tid>/children`): a dozen reads for a
 * worker, where reading every process's status is a hundred or more on a busy node. */
export function readTreeRssBytes(rootPid: number): Promise<number | null> {
  return Promise.resolve(treeRssNow(rootPid));
}

function treeRssNow(rootPid: number): number | null {
  const tree = descendantsOf(rootPid);
  if (tree === null) {
    const table = readProcessTable();
    return table && treeRss(table, rootPid);
  }
  const sizes = tree.map((pid) => rssOfStatus(readProc(`/proc/${pid}/status`)));
  if (sizes[0] === null) return null;
  return sizes.reduce<number>((sum, rss) => sum + (rss ?? 0), 0);
}

/** The root and every live descendant, or null when the kernel has no `children` files
 * (CONFIG_PROC_CHILDREN) or the root is gone. A child may hang off any thread of its parent. */
function descendantsOf(rootPid: number): number[] | null {
  const found = [rootPid];
  for (let i = 0; i < found.length; i++) {
    const pid = found[i]!;
    const threads = listProc(`/proc/${pid}/task`);
    if (threads === null) {
      if (i === 0) return null;
      continue; // exited meanwhile
    }
    const lists = threads.map((tid) => readProc(`/proc/${pid}/task/${tid}/children`));
    if (i === 0 && lists.every((l) => l === null)) return null;
    for (const list of lists) for (const child of (list ?? "").split(" ")) if (child.trim()) found.push(Number(child));
  }
  return found;
}

/** Every process's parent and RSS, or null where /proc cannot be listed. */
function readProcessTable(): ProcessTable | null {
  const entries = listProc("/proc");
  if (entries === null) return null;
  const table: ProcessTable = { parentOf: new Map(), rssOf: new Map() };
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const status = readProc(`/proc/${e}/status`);
    if (!status) continue;
    const ppid = /^PPid:\s+(\d+)/m.exec(status);
    const rss = rssOfStatus(status);
    if (ppid) table.parentOf.set(Number(e), Number(ppid[1]));
    if (rss !== null) table.rssOf.set(Number(e), rss);
  }
  return table;
}

function rssOfStatus(status: string | null): number | null {
  const rss = status && /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  // A zombie or a kernel thread has no VmRSS line: it holds no memory of its own.
  return status === null ? null : rss ? Number(rss[1]) * 1024 : 0;
}

/** Pure: the RSS of `rootPid` and of every process whose chain of parents reaches it. */
function treeRss(table: ProcessTable, rootPid: number): number | null {
  if (!table.parentOf.has(rootPid)) return null;
  let total = 0;
  for (const [pid] of table.parentOf) {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 64; p = table.parentOf.get(p), hops++) {
      if (p === rootPid) {
        total += table.rssOf.get(pid) ?? 0;
        break;
      }
    }
  }
  return total;
}

interface Watch {
  pid: number;
  limitBytes: number;
  onExceeded: (rss: number) => void;
}

const watches = new Set<Watch>();
let timer: ReturnType<typeof setInterval> | null = null;

/** One pass for every watched worker: a walk of its tree when there is one, one read of the whole
 * process table when there are several (20 thumbnails at once would otherwise read it 20 times a
 * second). Synchronous (see readProc), so passes never overlap. */
function checkAll(): void {
  const now = [...watches];
  const table = now.length > 1 ? readProcessTable() : null;
  for (const w of now) {
    const rss = table ? treeRss(table, w.pid) : treeRssNow(w.pid);
    if (rss !== null && rss > w.limitBytes && watches.delete(w)) w.onExceeded(rss);
  }
}

/** Polls a worker tree's RSS every second and calls `onExceeded` once when it passes the limit.
 * Returns a stop function. */
export function watchRss(pid: number, limitBytes: number, onExceeded: (rss: number) => void): () => void {
  const watch: Watch = { pid, limitBytes, onExceeded };
  watches.add(watch);
  if (!timer) {
    timer = setInterval(checkAll, RSS_CHECK_INTERVAL_MS);
    timer.unref?.();
  }
  return () => {
    watches.delete(watch);
    if (watches.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

const RSS_CHECK_INTERVAL_MS = 1000;
