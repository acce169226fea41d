import type { ResourceProfile } from "../contracts/resource-profile.ts";

export const GIB = 1024 ** 3;

/** What the node has: the broker's bins. */
export interface NodeCapacity {
  /** Usable cores (cgroup quota or the host's parallelism); may be fractional under a quota. */
  cores: number;
  /** Usable RAM in bytes (cgroup limit or total RAM). */
  ramBytes: number;
}

/** Knobs of placement. Percentages are of the whole node. */
export interface PlacementConfig {
  /** CPU the broker fills up to. Default: 85. */
  targetCpuPercent: number;
  /** RAM the broker fills up to. Default: 85. */
  targetRamPercent: number;
  /** A task asking at least this much CPU (after rescaling) is heavy and placed in the first pass. Default: 30. */
  heavyCpuPercent: number;
  /** Smallest CPU ask, in cores: 3 % of a 2-core node is 0.06 cores, less than a process costs. A
   * real thumbnail child (Node start, sharp load, 256 px WebP of a 24 Mpx JPEG) burns 0.11 CPU-s in
   * all (bench/scheduler/thumbnail-cost.ts), a tenth of a core over one second; a quarter core was
   * twice what it uses, and that gap is capacity a FIFO pool would have used. Default: 0.1. */
  minCpuCores: number;
  /** A heavy task that has waited this long holds back its capacity from everyone else. Default: 30 000. */
  reserveAfterMs: number;
  /** When none of our tasks runs and external load alone blocks placement, grant the head task anyway:
   * a node that runs nothing because of someone else's load makes no progress. Default: true. */
  progressWhenIdle: boolean;
}

export const PLACEMENT_DEFAULTS: PlacementConfig = {
  targetCpuPercent: 85,
  targetRamPercent: 85,
  heavyCpuPercent: 30,
  minCpuCores: 0.1,
  reserveAfterMs: 30_000,
  progressWhenIdle: true,
};

export interface TaskAsk {
  /** Percent of the node. */
  cpuPercent: number;
  /** Bytes, clamped to the node. */
  ramBytes: number;
  heavy: boolean;
  /** Larger than the target in some dimension: it can only run alone. */
  exclusive: boolean;
}

/**
 * Rescaling rule. The table's CPU % is the share of the node a task keeps busy on average; the
 * tools behind it size their thread pools to the machine (libvips, GDAL ALL_CPUS, PDAL, ffmpeg), so
 * the share carries over to a node of any size and percent stays percent. A share smaller than
 * `minCpuCores` is raised to it: on a 2-core node 3 % is 0.06 cores, less than one process costs.
 * RAM is absolute (a file needs the bytes it needs): the base ask plus the per-input-byte share,
 * clamped to the node; a task whose unclamped ask exceeds the RAM target, or whose CPU ask exceeds the
 * CPU target, is exclusive and runs alone instead of never.
 */
export function askFor(profile: ResourceProfile, inputBytes: number | undefined, capacity: NodeCapacity, config: PlacementConfig): TaskAsk {
  const floor = Math.min(100, (config.minCpuCores / capacity.cores) * 100);
  const cpuPercent = Math.min(100, Math.max(profile.cpu_percent, floor));
  const wanted = profile.ram_gb * GIB + profile.ram_bytes_per_input_byte * Math.max(0, inputBytes ?? 0);
  const ramBytes = Math.min(Math.ceil(wanted), capacity.ramBytes);
  const exclusive = cpuPercent > config.targetCpuPercent || wanted > (capacity.ramBytes * config.targetRamPercent) / 100;
  return { cpuPercent, ramBytes, heavy: exclusive || cpuPercent >= config.heavyCpuPercent, exclusive };
}
