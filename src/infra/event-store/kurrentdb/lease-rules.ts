import type { ExpectedRevision } from "../../../ports/event-store.port.ts";

/**
 * Pure rules of a lease kept in a stream (KurrentDB has no advisory locks). The holder appends
 * `LeaseAcquired`, then `LeaseRenewed` every heartbeat, each with the expected revision of its
 * previous append: a second writer's append fails on the revision, which is the lock.
 *
 * Expiry is judged on each node's own clock, never by comparing timestamps across machines: a
 * contender that has seen the same lease revision unchanged for the lease's TTL (measured from when
 * it first saw it) may take the lease over. The holder stops itself ("self-fences") `marginMs`
 * before TTL has passed since it *sent* its last successful renewal. A contender first sees that
 * renewal no earlier than it was written, which is after it was sent, so the holder always stops
 * before any contender can take over (given clocks that tick at nearly the same rate).
 *
 * Failover bound: a holder that dies is replaced within ttlMs + the contenders' retry interval
 * (+ one read); a live holder whose renewals fail stops within ttlMs - marginMs.
 */

export const LEASE_EVENT_TYPES = ["LeaseAcquired", "LeaseRenewed", "LeaseReleased"] as const;
export type LeaseEventType = (typeof LEASE_EVENT_TYPES)[number];

export interface LeaseRecord {
  revision: number;
  type: LeaseEventType;
  holder: string;
  ttlMs: number;
}

/** When a contender first saw the lease at `revision`, on its own clock. */
export interface Observation {
  revision: number;
  sinceMs: number;
}

export type AcquireDecision = { action: "take"; expectedRevision: ExpectedRevision } | { action: "wait"; observed: Observation };

export function decideAcquire(head: LeaseRecord | null, me: string, observed: Observation | undefined, nowMs: number): AcquireDecision {
  if (head === null) return { action: "take", expectedRevision: "no_stream" };
  // Our own unreleased lease (a release that failed) is ours to take back at once.
  if (head.type === "LeaseReleased" || head.holder === me) return { action: "take", expectedRevision: head.revision };
  if (observed?.revision === head.revision) {
    return nowMs - observed.sinceMs >= head.ttlMs ? { action: "take", expectedRevision: head.revision } : { action: "wait", observed };
  }
  return { action: "wait", observed: { revision: head.revision, sinceMs: nowMs } };
}

/** The moment the holder must consider its lease lost, from when its last successful write was sent. */
export function selfFenceAt(lastSentMs: number, ttlMs: number, marginMs: number): number {
  return lastSentMs + ttlMs - marginMs;
}

/** Reads a lease event's data back; null for anything that is not one of ours. */
export function toLeaseRecord(event: { revision: number; type: string; data: unknown }): LeaseRecord | null {
  if (!(LEASE_EVENT_TYPES as readonly string[]).includes(event.type)) return null;
  const data = event.data as { holder?: unknown; ttl_ms?: unknown } | null;
  if (typeof data?.holder !== "string" || typeof data.ttl_ms !== "number" || !(data.ttl_ms > 0)) return null;
  return { revision: event.revision, type: event.type as LeaseEventType, holder: data.holder, ttlMs: data.ttl_ms };
}

export function checkLeaseTimings(ttlMs: number, heartbeatMs: number, marginMs: number): void {
  if (!(heartbeatMs > 0 && marginMs >= 0 && heartbeatMs + marginMs < ttlMs)) {
    throw new RangeError(`lease timings: need heartbeat (${heartbeatMs} ms) + margin (${marginMs} ms) < ttl (${ttlMs} ms), so a renewal lands before the holder self-fences`);
  }
}
