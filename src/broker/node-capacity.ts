import { readFileSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { join } from "node:path";
import type { NodeCapacity } from "../machines/broker-ask.ts";

export interface CapacityReading extends NodeCapacity {
  /** Where each number came from, for the start-up log. */
  source: { cpu: "cgroup2" | "cgroup1" | "host"; ram: "cgroup2" | "cgroup1" | "host" };
}

export interface ReadCapacityOptions {
  /** Default: "/sys/fs/cgroup". */
  cgroupRoot?: string;
  /** Contents of /proc/self/cgroup, to find our own group below the root. Default: read it. */
  procSelfCgroup?: string | undefined;
  /** Default: os.availableParallelism(). */
  hostCores?: number;
  /** Default: os.totalmem(). */
  hostRamBytes?: number;
}

/** cgroup v2 `cpu.max`: "max 100000" (no quota) or "<quota> <period>". Pure. */
export function parseCpuMax(text: string): number | undefined {
  const [quota, period] = text.trim().split(/\s+/);
  return quotaCores(quota === "max" ? -1 : Number(quota), Number(period ?? 100_000));
}

/** cgroup v1 cfs quota/period; -1 means none. Pure. */
export function quotaCores(quotaUs: number, periodUs: number): number | undefined {
  if (!Number.isFinite(quotaUs) || quotaUs <= 0 || !Number.isFinite(periodUs) || periodUs <= 0) return undefined;
  return quotaUs / periodUs;
}

/** `memory.max` ("max" or bytes) or v1 `memory.limit_in_bytes` (a huge number means none). Pure. */
export function parseMemoryLimit(text: string): number | undefined {
  const t = text.trim();
  if (t === "max") return undefined;
  const n = Number(t);
  // v1 reports "no limit" as a page-aligned number near 2^63.
  return Number.isFinite(n) && n > 0 && n < 2 ** 60 ? n : undefined;
}

/** The node's CPU and RAM as the broker may use them: the cgroup's limits where set, else the host. */
export function readNodeCapacity(options: ReadCapacityOptions = {}): CapacityReading {
  const root = options.cgroupRoot ?? "/sys/fs/cgroup";
  const hostCores = options.hostCores ?? availableParallelism();
  const hostRam = options.hostRamBytes ?? totalmem();
  const own = ownGroups(options.procSelfCgroup ?? readOr("/proc/self/cgroup"));
  const first = <T>(candidates: Array<[string, (t: string) => T | undefined]>): T | undefined => {
    for (const [path, parse] of candidates) {
      const text = readOr(path);
      const value = text === undefined ? undefined : parse(text);
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const v2 = (file: string): string[] => unique([join(root, own.get("") ?? "/", file), join(root, file)]);
  const v1 = (ctrl: string, file: string): string[] => unique([join(root, ctrl, own.get(ctrl) ?? "/", file), join(root, ctrl, file)]);

  const cpu2 = first(v2("cpu.max").map((p) => [p, parseCpuMax]));
  const cpu1 = cpu2 ?? first(v1("cpu", "cpu.cfs_quota_us").map((p) => [p, (t) => quotaCores(Number(t.trim()), Number(readOr(p.replace("quota", "period"))?.trim() ?? "100000"))]));
  const ram2 = first(v2("memory.max").map((p) => [p, parseMemoryLimit]));
  const ram1 = ram2 ?? first(v1("memory", "memory.limit_in_bytes").map((p) => [p, parseMemoryLimit]));
  return {
    cores: Math.min(hostCores, cpu1 ?? Infinity),
    ramBytes: Math.min(hostRam, ram1 ?? Infinity),
    source: {
      cpu: cpu2 !== undefined && cpu2 < hostCores ? "cgroup2" : cpu1 !== undefined && cpu1 < hostCores ? "cgroup1" : "host",
      ram: ram2 !== undefined && ram2 < hostRam ? "cgroup2" : ram1 !== undefined && ram1 < hostRam ? "cgroup1" : "host",
    },
  };
}

/** Controller → path from /proc/self/cgroup ("" is the v2 unified hierarchy). */
function ownGroups(text: string | undefined): Map<string, string> {
  const groups = new Map<string, string>();
  for (const line of (text ?? "").split("\n")) {
    const [, controllers, path] = line.match(/^\d+:([^:]*):(.*)$/) ?? [];
    if (path === undefined || controllers === undefined) continue;
    for (const c of controllers.split(",")) groups.set(c, path);
  }
  return groups;
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

const unique = (xs: string[]): string[] => [...new Set(xs)];
