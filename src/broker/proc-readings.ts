/** CPU time of the whole node from /proc/stat's first line, in jiffies (USER_HZ ticks). */
export interface CpuTimes {
  busy: number;
  idle: number;
}

/** Pure: the aggregate `cpu` line of /proc/stat. Busy is user + nice + system + irq + softirq +
 * steal (guest time is already inside user); idle is idle + iowait, since a task waiting on its disk
 * leaves the core to others. Undefined when the text has no such line. */
export function parseProcStat(text: string): CpuTimes | undefined {
  const line = /^cpu +([\d ]+)$/m.exec(text)?.[1];
  if (!line) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).map(Number);
  return { busy: user + nice + system + irq + softirq + steal, idle: idle + iowait };
}

/** Pure: percent of the time between two readings the node was busy; undefined when no time passed
 * (two reads inside one jiffy) or the counters went back (a different host's numbers). */
export function busyPercent(before: CpuTimes, after: CpuTimes): number | undefined {
  const busy = after.busy - before.busy;
  const total = busy + after.idle - before.idle;
  if (total <= 0 || busy < 0) return undefined;
  return Math.min(100, (busy / total) * 100);
}

/** Pure: RAM in use from /proc/meminfo, `MemTotal − MemAvailable` in bytes: what the kernel could
 * not hand out without swapping. Idle warm workers' anonymous pages count whether the kernel sees
 * them as active or not, which the broker needs to tell them apart from other load; page cache it
 * can drop does not count. Undefined when either field is missing (kernels before 3.14). */
export function parseMemInfo(text: string): number | undefined {
  const kb = (name: string): number | undefined => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, "m").exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb("MemTotal");
  const available = kb("MemAvailable");
  return total === undefined || available === undefined ? undefined : Math.max(0, total - available);
}

/** Pure: os.cpus()' times summed into the same busy/idle split, for where /proc is missing. */
export function cpuTimesOf(cpus: ReadonlyArray<{ times: { user: number; nice: number; sys: number; idle: number; irq: number } }>): CpuTimes {
  let busy = 0;
  let idle = 0;
  for (const { times } of cpus) {
    busy += times.user + times.nice + times.sys + times.irq;
    idle += times.idle;
  }
  return { busy, idle };
}
