import si from "systeminformation";
import { systemClock, type BrokerClock } from "./broker-clock.ts";

/** One measurement of the whole node: work outside the broker counts too. */
export interface NodeSnapshot {
  /** Busy CPU, percent of the node, over the last interval. */
  cpuPercent: number;
  /** RAM in use without page cache (systeminformation's `active`). */
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
}

export const SYSTEM_SAMPLER_DEFAULTS = { intervalMs: 2000 } as const;

export async function sampleSystem(now = Date.now()): Promise<NodeSnapshot> {
  const [load, mem] = await Promise.all([si.currentLoad(), si.mem()]);
  return { cpuPercent: load.currentLoad, ramUsedBytes: mem.active, at: now };
}

/** Samples the node every interval; `latest()` is what the broker reads on its tick. */
export function startSystemSampler(options: SystemSamplerOptions = {}): SystemSampler {
  const clock = options.clock ?? systemClock;
  let latest: NodeSnapshot | undefined;
  let busy = false;
  const sample = (): void => {
    if (busy) return;
    busy = true;
    sampleSystem(clock.now())
      // systeminformation's load is the average since its previous call, which was the last sample.
      .then((s) => {
        latest = latest ? { ...s, windowMs: s.at - latest.at } : s;
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
