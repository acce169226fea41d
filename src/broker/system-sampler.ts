import { readFile } from "node:fs/promises";
import { cpus, freemem, totalmem } from "node:os";
import { systemClock, type BrokerClock } from "./broker-clock.ts";
import { busyPercent, cpuTimesOf, parseMemInfo, parseProcStat, type CpuTimes } from "./proc-readings.ts";

/** One measurement of the whole node: work outside the broker counts too. */
export interface NodeSnapshot {
  /** Busy CPU, percent of the node, over the last interval. */
  cpuPercent: number;
  /** RAM in use: `MemTotal − MemAvailable` (src/broker/proc-readings.ts says why). */
  ramUsedBytes: number;
  at: number;
  /** The interval `cpuPercent` averages over, ending at `at`. Default: the broker's tick. */
  windowMs?: number;
}

export interface SystemSampler {
  latest(): NodeSnapshot | undefined;
  stop(): void;
}

export interface SystemSamplerOptions {
  /** Default: 2000 (DESIGN.md §5). */
  intervalMs?: number;
  /** Default: the system clock. */
  clock?: BrokerClock;
  /** A failed read keeps the previous snapshot. Default: ignore. */
  onError?: (error: unknown) => void;
  /** Where /proc is. Default: "/proc". */
  procRoot?: string;
}

export const SYSTEM_SAMPLER_DEFAULTS = { intervalMs: 2000, procRoot: "/proc" } as const;

/** The node's counters now: /proc read asynchronously (never a child process or a sync read on the
 * event loop), os.cpus() / os.freemem() where /proc cannot be read. */
export async function readCounters(procRoot: string = SYSTEM_SAMPLER_DEFAULTS.procRoot): Promise<{ cpu: CpuTimes; ramUsedBytes: number }> {
  const [stat, meminfo] = await Promise.all([readFile(`${procRoot}/stat`, "utf8").catch(() => ""), readFile(`${procRoot}/meminfo`, "utf8").catch(() => "")]);
  return { cpu: parseProcStat(stat) ?? cpuTimesOf(cpus()), ramUsedBytes: parseMemInfo(meminfo) ?? totalmem() - freemem() };
}

let previous: CpuTimes | undefined;
/** One snapshot; its CPU figure is the average since the previous call in this process (0 on the
 * first), as systeminformation's `currentLoad()` was. For a bench that samples on its own. */
export async function sampleSystem(now = Date.now()): Promise<NodeSnapshot> {
  const { cpu, ramUsedBytes } = await readCounters();
  const cpuPercent = previous ? (busyPercent(previous, cpu) ?? 0) : 0;
  previous = cpu;
  return { cpuPercent, ramUsedBytes, at: now };
}

/** Samples the node every interval; `latest()` is what the broker reads on its tick. The CPU figure
 * is the busy share between this sample's counters and the previous one's. */
export function startSystemSampler(options: SystemSamplerOptions = {}): SystemSampler {
  const clock = options.clock ?? systemClock;
  const procRoot = options.procRoot ?? SYSTEM_SAMPLER_DEFAULTS.procRoot;
  let latest: NodeSnapshot | undefined;
  let last: { cpu: CpuTimes; at: number } | undefined;
  let busy = false;
  const sample = (): void => {
    if (busy) return;
    busy = true;
    const at = clock.now();
    readCounters(procRoot)
      .then(({ cpu, ramUsedBytes }) => {
        // The first read only starts the CPU window: a snapshot needs two.
        const percent = last && busyPercent(last.cpu, cpu);
        if (last && percent !== undefined) latest = { cpuPercent: percent, ramUsedBytes, at, windowMs: at - last.at };
        last = { cpu, at };
      })
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        busy = false;
      });
  };
  sample();
  const stop = clock.every(options.intervalMs ?? SYSTEM_SAMPLER_DEFAULTS.intervalMs, sample);
  return { latest: () => latest, stop };
}
