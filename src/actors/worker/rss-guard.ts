import { readdir, readFile } from "node:fs/promises";

/** Every process on the node: its parent and its RSS in bytes. */
interface ProcessTable {
  parentOf: Map<number, number>;
  rssOf: Map<number, number>;
}

/** Resident set size of a process and all its descendants in bytes, from /proc (Linux): a worker's
 * gdal, ffmpeg or 7zz children count against its grant too. Null where /proc cannot be read.
 * Walks the tree down from the root (`/proc/<pid>/task/<tid>/children`): a dozen reads for a
 * worker, where reading every process's status is a hundred or more on a busy node. */
export async function readTreeRssBytes(rootPid: number): Promise<number | null> {
  const tree = await descendantsOf(rootPid);
  if (tree === null) {
    const table = await readProcessTable();
    return table && treeRss(table, rootPid);
  }
  const sizes = await Promise.all(tree.map(async (pid) => rssOfStatus(await readFile(`/proc/${pid}/status`, "utf8").catch(() => null))));
  if (sizes[0] === null) return null;
  return sizes.reduce<number>((sum, rss) => sum + (rss ?? 0), 0);
}

/** The root and every live descendant, or null when the kernel has no `children` files
 * (CONFIG_PROC_CHILDREN) or the root is gone. A child may hang off any thread of its parent. */
async function descendantsOf(rootPid: number): Promise<number[] | null> {
  const found = [rootPid];
  for (let i = 0; i < found.length; i++) {
    const pid = found[i]!;
    const threads = await readdir(`/proc/${pid}/task`).catch(() => null);
    if (threads === null) {
      if (i === 0) return null;
      continue; // exited meanwhile
    }
    const lists = await Promise.all(threads.map((tid) => readFile(`/proc/${pid}/task/${tid}/children`, "utf8").catch(() => null)));
    if (i === 0 && lists.every((l) => l === null)) return null;
    for (const list of lists) for (const child of (list ?? "").split(" ")) if (child.trim()) found.push(Number(child));
  }
  return found;
}

/** Every process's parent and RSS, or null where /proc cannot be listed. */
async function readProcessTable(): Promise<ProcessTable | null> {
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return null;
  }
  const table: ProcessTable = { parentOf: new Map(), rssOf: new Map() };
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (e) => {
        const status = await readFile(`/proc/${e}/status`, "utf8").catch(() => null);
        if (!status) return;
        const ppid = /^PPid:\s+(\d+)/m.exec(status);
        const rss = rssOfStatus(status);
        if (ppid) table.parentOf.set(Number(e), Number(ppid[1]));
        if (rss !== null) table.rssOf.set(Number(e), rss);
      }),
  );
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
let checking = false;

/** One pass for every watched worker: a walk of its tree when there is one, one read of the whole
 * process table when there are several (20 thumbnails at once would otherwise read it 20 times a
 * second). A pass still running when the next is due is skipped, not stacked. */
async function checkAll(): Promise<void> {
  if (checking) return;
  checking = true;
  try {
    const now = [...watches];
    const table = now.length > 1 ? await readProcessTable() : null;
    for (const w of now) {
      const rss = table ? treeRss(table, w.pid) : await readTreeRssBytes(w.pid);
      if (rss !== null && rss > w.limitBytes && watches.delete(w)) w.onExceeded(rss);
    }
  } finally {
    checking = false;
  }
}

/** Polls a worker tree's RSS every second and calls `onExceeded` once when it passes the limit.
 * Returns a stop function. */
export function watchRss(pid: number, limitBytes: number, onExceeded: (rss: number) => void): () => void {
  const watch: Watch = { pid, limitBytes, onExceeded };
  watches.add(watch);
  if (!timer) {
    timer = setInterval(() => void checkAll(), RSS_CHECK_INTERVAL_MS);
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
