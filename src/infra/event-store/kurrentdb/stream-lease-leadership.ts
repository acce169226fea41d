import { randomUUID } from "node:crypto";
import type { ExpectedRevision } from "../../../ports/event-store.port.ts";
import { RevisionConflictError } from "../../../ports/revision-conflict.error.ts";
import type { ClosableLeadership } from "../in-process-leadership.ts";
import { leadershipLoop, type Lease } from "../leadership-loop.ts";
import { leaseStream } from "./kurrentdb-streams.ts";
import { checkLeaseTimings, decideAcquire, selfFenceAt, toLeaseRecord, type LeaseEventType, type LeaseRecord, type Observation } from "./lease-rules.ts";
import type { StreamOps } from "./stream-checkpoint-store.ts";

export interface StreamLeaseLeadershipOptions {
  /** Prefix of the bookkeeping streams; a lease lives in `<prefix>lease-<name>`. */
  internalPrefix: string;
  /** How long a lease lives without a renewal. Contenders take over a dead holder's lease after
   * this. Default: 10000. */
  ttlMs?: number;
  /** How often the holder renews. Default: 2500. */
  heartbeatIntervalMs?: number;
  /** The holder stops this long before its lease could expire elsewhere: room for its fn to
   * notice the abort and for clock-rate drift. Default: 2000. */
  marginMs?: number;
  /** Wait between attempts to take a lease someone else holds. Default: 1000. */
  retryIntervalMs?: number;
  /** Who holds the lease, as written in it. Default: a random UUID per instance. */
  holderId?: string;
  /** Gets store errors while taking or renewing a lease (all retried). Default: ignore. */
  onError?: (error: unknown, name: string) => void;
  /** Called once when a lease stream is created, e.g. to cap it to its last few events. */
  onStreamCreated?: (streamId: string) => Promise<void>;
}

export const STREAM_LEASE_LEADERSHIP_DEFAULTS = { ttlMs: 10_000, heartbeatIntervalMs: 2_500, marginMs: 2_000, retryIntervalMs: 1_000 } as const;

/** Leadership as a lease stream per name, fenced by expected revisions (see lease-rules.ts for
 * the expiry rules and the failover bound). Works over any event store's append/readStream;
 * used for KurrentDB, which has no locks. */
export function createStreamLeaseLeadership(store: StreamOps, options: StreamLeaseLeadershipOptions): ClosableLeadership {
  const d = STREAM_LEASE_LEADERSHIP_DEFAULTS;
  const ttlMs = options.ttlMs ?? d.ttlMs;
  const heartbeatMs = options.heartbeatIntervalMs ?? d.heartbeatIntervalMs;
  const marginMs = options.marginMs ?? d.marginMs;
  checkLeaseTimings(ttlMs, heartbeatMs, marginMs);
  const me = options.holderId ?? randomUUID();
  const onError = options.onError ?? (() => {});
  const closing = new AbortController();
  const observations = new Map<string, Observation>();
  const held = new Set<string>();
  const releases = new Set<Promise<void>>();

  const write = (name: string, type: LeaseEventType, expectedRevision: ExpectedRevision) =>
    store.append(
      leaseStream(options.internalPrefix, name),
      [
        {
          id: randomUUID(),
          type,
          data: { holder: me, ttl_ms: ttlMs },
          metadata: { correlation_id: name, causation_id: me },
        },
      ],
      { expectedRevision },
    );

  async function readHead(name: string): Promise<LeaseRecord | null> {
    const [last] = await store.readStream(leaseStream(options.internalPrefix, name), { direction: "backwards", maxCount: 1 });
    if (last === undefined) return null;
    // Anything else at the head of our own lease stream leaves the lease free.
    return toLeaseRecord(last) ?? { revision: last.revision, type: "LeaseReleased", holder: "", ttlMs };
  }

  function hold(name: string, firstRevision: number, sentMs: number): Lease {
    const lost = new AbortController();
    let revision = firstRevision;
    let renewing = false;
    const fence = () => lost.abort(new Error(`lease ${name} expired: no renewal reached the store within ${ttlMs - marginMs} ms`));
    let fenceTimer = setTimeout(fence, selfFenceAt(sentMs, ttlMs, marginMs) - Date.now());
    const heartbeat = setInterval(() => {
      if (renewing || lost.signal.aborted) return;
      renewing = true;
      const sent = Date.now();
      write(name, "LeaseRenewed", revision)
        .then((result) => {
          if (lost.signal.aborted) return;
          revision = result.nextRevision;
          clearTimeout(fenceTimer);
          fenceTimer = setTimeout(fence, selfFenceAt(sent, ttlMs, marginMs) - Date.now());
        })
        .catch((error: unknown) => {
          if (error instanceof RevisionConflictError) lost.abort(new Error(`lease ${name} was taken over by another holder`));
          else onError(error, name);
        })
        .finally(() => {
          renewing = false;
        });
    }, heartbeatMs);
    lost.signal.addEventListener(
      "abort",
      () => {
        clearInterval(heartbeat);
        clearTimeout(fenceTimer);
      },
      { once: true },
    );

    return {
      lost: lost.signal,
      release: () => {
        lost.abort(new Error(`lease ${name} released`));
        // Releasing after a loss is harmless: if someone took over, the revision no longer matches.
        const releasing = write(name, "LeaseReleased", revision)
          .then(
            () => {},
            (error: unknown) => {
              if (!(error instanceof RevisionConflictError)) throw error;
            },
          )
          .finally(() => {
            held.delete(name);
            releases.delete(releasing);
          });
        releases.add(releasing);
        return releasing;
      },
    };
  }

  const leadership = leadershipLoop(
    {
      async tryAcquire(name) {
        if (held.has(name) || closing.signal.aborted) return null;
        held.add(name);
        try {
          const head = await readHead(name);
          const decision = decideAcquire(head, me, observations.get(name), Date.now());
          if (decision.action === "wait") {
            observations.set(name, decision.observed);
            held.delete(name);
            return null;
          }
          const sent = Date.now();
          const result = await write(name, "LeaseAcquired", decision.expectedRevision);
          observations.delete(name);
          if (head === null) await options.onStreamCreated?.(leaseStream(options.internalPrefix, name)).catch((error: unknown) => onError(error, name));
          return hold(name, result.nextRevision, sent);
        } catch (error) {
          held.delete(name);
          observations.delete(name);
          if (error instanceof RevisionConflictError) return null;
          throw error;
        }
      },
    },
    { retryIntervalMs: options.retryIntervalMs ?? d.retryIntervalMs, closed: closing.signal, onError },
  );

  return {
    run: leadership.run,
    async close() {
      closing.abort(new Error("leadership closed"));
      // Let holders' fns see the abort and hand their leases back, so a successor need not wait out
      // the TTL; bounded, since a dead store would never answer.
      const deadline = new Promise((resolve) => setTimeout(resolve, ttlMs).unref());
      while (held.size > 0) {
        const settled = await Promise.race([Promise.allSettled([...releases]).then(() => "released"), deadline.then(() => "timeout")]);
        if (settled === "timeout") return;
        if (releases.size === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}
