import { readFileSync } from "node:fs";

/** CPU and RAM of this process and its live children, from /proc (Linux). On a machine shared with
 * other engineers the whole-node numbers measure them too; this measures only the bench's own work. */
export interface TreeSample {
  at: number;
  /** Percent of the node over the interval since the previous sample. */
  cpuPercent: number;
  ramBytes: number;
  /** The interval `cpuPercent` averages over, ms. */
  windowMs: number;
}

const TICKS_PER_S = 100; // USER_HZ on Linux
const PAGE = 4096;

function stat(pid: number | "self"): { cpuTicks: number; childTicks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // After "pid (comm) ": field 3 (state) is f[0], so utime (14) is f[11].
    return { cpuTicks: Number(f[11]) + Number(f[12]), childTicks: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined;
  }
}

function rss(pid: number | "self"): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) * PAGE;
  } catch {
    return 0;
  }
}

export function createTreeSampler(cores: number, livePids: () => Iterable<number>) {
  const total = (): number => {
    const self = stat("self");
    let ticks = self ? self.cpuTicks + self.childTicks : 0;
    for (const pid of livePids()) ticks += stat(pid)?.cpuTicks ?? 0;
    return ticks;
  };
  let last = { at: performance.now(), ticks: total() };
  return {
    sample(): TreeSample {
      const now = { at: performance.now(), ticks: total() };
      const seconds = (now.at - last.at) / 1000;
      const cpuPercent = seconds > 0 ? ((now.ticks - last.ticks) / TICKS_PER_S / seconds / cores) * 100 : 0;
      last = now;
      let ram = rss("self");
      for (const pid of livePids()) ram += rss(pid);
      return { at: now.at, cpuPercent: Math.max(0, cpuPercent), ramBytes: ram, windowMs: seconds * 1000 };
    },
  };
}
