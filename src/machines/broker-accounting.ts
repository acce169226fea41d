import type { AccountedSnapshot, RunningSlot } from "./broker-placement.ts";

/** A slot given back: kept for a while, because the snapshots taken while it ran still show its load. */
export interface ReleasedSlot {
  cpuPercent: number;
  ramBytes: number;
  grantedAt: number;
  releasedAt: number;
}

/** A node measurement as the broker receives it. */
export interface MeasuredSnapshot {
  /** Busy CPU, percent of the node, averaged over [at - windowMs, at]. */
  cpuPercent: number;
  /** RAM in use at `at`. */
  ramUsedBytes: number;
  /** When it was taken (epoch ms, the broker's clock). */
  at: number;
  windowMs: number;
}

/** How long released slots are remembered: snapshots older than this are not trusted anyway. */
export const RELEASED_MEMORY_MS = 10_000;

/**
 * Pure: what the broker's own grants contributed to a snapshot, so `usage()` can tell the rest (other
 * processes, tasks using more than they asked). CPU is an average over the snapshot's window, so each
 * slot counts by the share of the window it held its grant: a task released half-way through the
 * window shows there with half its ask, and counting it as nothing (it is no longer running) would
 * read as someone else's load and block the capacity it just freed. RAM is an instant: the slots
 * holding their grant at `at`. Held RAM (idle warm workers) is taken as held when the broker records
 * the snapshot, at most a sample interval after it was taken; holds are not remembered over time
 * like slots, so a hold that began or ended in between is off by its bytes until the next tick.
 */
export function accountSnapshot(s: MeasuredSnapshot, running: readonly RunningSlot[], released: readonly ReleasedSlot[], heldRamBytes = 0): AccountedSnapshot {
  const from = s.at - s.windowMs;
  let cpu = 0;
  let ram = 0;
  const add = (slot: { cpuPercent: number; ramBytes: number; grantedAt: number }, releasedAt: number): void => {
    const heldAtTaking = slot.grantedAt <= s.at && releasedAt > s.at;
    if (s.windowMs > 0) cpu += (slot.cpuPercent * Math.max(0, Math.min(s.at, releasedAt) - Math.max(from, slot.grantedAt))) / s.windowMs;
    else if (heldAtTaking) cpu += slot.cpuPercent;
    if (heldAtTaking) ram += slot.ramBytes;
  };
  for (const r of running) add(r, Infinity);
  for (const r of released) add(r, r.releasedAt);
  return { cpuPercent: s.cpuPercent, ramUsedBytes: s.ramUsedBytes, grantedCpuPercent: cpu, grantedRamBytes: ram, heldRamBytes };
}

/** Pure: the released slots still worth remembering at `now`. */
export function pruneReleased(released: readonly ReleasedSlot[], now: number): ReleasedSlot[] {
  return released.filter((r) => now - r.releasedAt < RELEASED_MEMORY_MS);
}
