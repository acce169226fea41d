import type { AllStreamResolvedEvent, KurrentDBClient, ResolvedEvent } from "@kurrent/kurrentdb-client";
import type { EventStore, ReadAllOptions, ReadStreamOptions, StoredEvent } from "../../../ports/event-store.port.ts";
import type { ProjectionSupport } from "../sql-event-store.ts";
import { appendToKurrent } from "./kurrentdb-append.ts";
import { isStreamNotFound } from "./kurrentdb-errors.ts";
import { checkMaxCount, strictlyAfter, toPosition, toStoredEvent } from "./kurrentdb-mapping.ts";
import { createOperationTracker } from "../operation-tracker.ts";
import { checkScope, distinctStreamIds, INTERNAL_STREAM_PREFIX, isVisible, portId, serverId, streamSelection, type StreamScope } from "./kurrentdb-streams.ts";
import { subscribeToAll, toFilter } from "./kurrentdb-subscription.ts";
import { createStreamCheckpointStore } from "./stream-checkpoint-store.ts";
import { createStreamLeaseLeadership, type StreamLeaseLeadershipOptions } from "./stream-lease-leadership.ts";

export interface KurrentDbEventStoreOptions {
  /** Prefix of every stream id on the server, invisible through the port: lets deployments or
   * test runs share a server, as the SQL adapter's schema does. Default: "" (none). */
  namespace?: string;
  /** Prefix of the adapter's bookkeeping streams (checkpoints, leases), hidden from readAll,
   * subscriptions and listStreams unless asked for by prefix. Default: "vs3d-". */
  internalPrefix?: string;
  /** Per-call deadline for appends and reads, ms. Default: 10000. */
  deadlineMs?: number;
  /** Events kept in each checkpoint or lease stream ($maxCount; older ones are scavenged). Default: 10. */
  bookkeepingMaxCount?: number;
  /** Lease timings for projection leadership (see stream-lease-leadership.ts). */
  leadership?: Omit<StreamLeaseLeadershipOptions, "internalPrefix" | "onStreamCreated">;
}

export const KURRENTDB_EVENT_STORE_DEFAULTS = { namespace: "", internalPrefix: INTERNAL_STREAM_PREFIX, deadlineMs: 10_000, bookkeepingMaxCount: 10 } as const;

export type KurrentDbEventStore = EventStore & ProjectionSupport;

/** The event store over KurrentDB/EventStoreDB. Owns `client` and disposes it on close().
 * Projections get checkpoints and leadership as streams (KurrentDB has no tables or locks). */
export function createKurrentDbEventStore(client: KurrentDBClient, options: KurrentDbEventStoreOptions = {}): KurrentDbEventStore {
  const d = KURRENTDB_EVENT_STORE_DEFAULTS;
  const internalPrefix = options.internalPrefix ?? d.internalPrefix;
  const scope: StreamScope = { namespace: options.namespace ?? d.namespace, internalPrefix };
  checkScope(scope);
  const deadline = options.deadlineMs ?? d.deadlineMs;
  const maxCount = options.bookkeepingMaxCount ?? d.bookkeepingMaxCount;

  const ops = createOperationTracker();
  const track = ops.track;

  /** Maps what a read returns to the port's events, without the namespace. */
  const collect = async (read: AsyncIterable<ResolvedEvent | AllStreamResolvedEvent>, keep: (serverStreamId: string) => boolean): Promise<StoredEvent[]> => {
    const out: StoredEvent[] = [];
    for await (const resolved of read) {
      const event = toStoredEvent(resolved);
      if (event !== null && keep(event.streamId)) out.push({ ...event, streamId: portId(scope, event.streamId) });
    }
    return out;
  };

  const readStream = (streamId: string, opts: ReadStreamOptions = {}): Promise<StoredEvent[]> =>
    track(async () => {
      checkMaxCount(opts.maxCount);
      if (opts.maxCount === 0) return [];
      const backwards = opts.direction === "backwards";
      try {
        return await collect(
          client.readStream(serverId(scope, streamId), {
            direction: backwards ? "backwards" : "forwards",
            fromRevision: opts.fromRevision === undefined ? (backwards ? "end" : "start") : BigInt(opts.fromRevision),
            ...(opts.maxCount === undefined ? {} : { maxCount: opts.maxCount }),
            deadline,
          }),
          () => true,
        );
      } catch (error) {
        if (isStreamNotFound(error)) return [];
        throw error;
      }
    });

  const readAll = (opts: ReadAllOptions = {}): Promise<StoredEvent[]> =>
    track(async () => {
      checkMaxCount(opts.maxCount);
      if (opts.maxCount === 0) return [];
      const events = await collect(
        client.readAll({
          fromPosition: opts.after === undefined ? "start" : toPosition(opts.after),
          // From a position the read is inclusive: one more, in case the first is `after` itself.
          ...(opts.maxCount === undefined ? {} : { maxCount: opts.maxCount + (opts.after === undefined ? 0 : 1) }),
          filter: toFilter(streamSelection(scope, opts.streamPrefix)),
          deadline,
        }),
        (id) => isVisible(scope, id, opts.streamPrefix),
      );
      return strictlyAfter(events, opts.after, opts.maxCount);
    });

  /** The last visible event's position: read backwards from the end, past hidden bookkeeping. */
  const headPosition = (): Promise<bigint | null> =>
    track(async () => {
      const events = await collect(client.readAll({ direction: "backwards", fromPosition: "end", maxCount: 64, filter: toFilter(streamSelection(scope, undefined)), deadline }), (id) =>
        isVisible(scope, id, undefined),
      );
      return events[0]?.position ?? null;
    });

  const append: EventStore["append"] = (streamId, events, { expectedRevision }) =>
    track(() =>
      appendToKurrent(
        {
          client,
          serverStreamId: serverId(scope, streamId),
          deadline,
          readBack: (fromRevision, count) => readStream(streamId, { fromRevision, maxCount: count }),
        },
        streamId,
        events,
        expectedRevision,
      ),
    );

  /** Caps a bookkeeping stream to its last events. Best effort: without the right to write stream
   * metadata the stream just keeps growing by one small event per save or heartbeat. */
  const cap = async (streamId: string) => {
    await client.setStreamMetadata(serverId(scope, streamId), { maxCount }, { deadline }).catch(() => {});
  };
  const bookkeeping = { append, readStream };
  const leadership = createStreamLeaseLeadership(bookkeeping, { ...options.leadership, internalPrefix, onStreamCreated: cap });

  return {
    checkpoints: createStreamCheckpointStore(bookkeeping, { internalPrefix, onStreamCreated: cap }),
    leadership: { run: leadership.run },
    append,
    readStream,
    readAll,
    headPosition,
    subscribeToAll: (opts = {}) => subscribeToAll({ client, scope, closed: ops.closed }, opts),

    /**
     * KurrentDB keeps no list of streams. This scans `$all` with a server-side stream-name prefix
     * filter and collects distinct ids: one pass over every event of the matching streams (for
     * "task-", all task events), not over the whole log. `$streams` (one link per stream) would
     * be cheaper but needs the system projections running and admin rights to read.
     */
    listStreams: (prefix) =>
      track(async () => {
        const ids: string[] = [];
        for await (const resolved of client.readAll({ filter: toFilter(streamSelection(scope, prefix)), deadline })) {
          const streamId = resolved.event?.streamId;
          if (streamId !== undefined && isVisible(scope, streamId, prefix)) ids.push(portId(scope, streamId));
        }
        return distinctStreamIds(ids);
      }),

    async close() {
      if (ops.closed.aborted) return;
      // Leases go back before the connection does, so another node need not wait out the TTL.
      await leadership.close();
      ops.begin();
      await ops.idle();
      await client.dispose();
    },
  };
}
