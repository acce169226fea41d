import type { CheckpointStore } from "../../ports/checkpoint-store.port.ts";
import type { EventStore, ExpectedRevision, NewEvent, ReadAllOptions, ReadStreamOptions, StoredEvent } from "../../ports/event-store.port.ts";
import type { Leadership } from "../../ports/leadership.port.ts";
import { EVENT_COLUMNS, likePrefix, toStoredEvent, type EventRow } from "./event-rows.ts";
import { DEFAULT_SCHEMA, ensureSchema, schemaNames } from "./event-store.schema.ts";
import { createInProcessLeadership, type ClosableLeadership } from "./in-process-leadership.ts";
import { createSqlCheckpointStore } from "./sql-checkpoint-store.ts";
import { createExclusiveAppender } from "./exclusive-append.ts";
import { appendInTransaction, prepareRows } from "./sql-append.ts";
import type { SqlClient } from "./sql-client.ts";
import { createOperationTracker } from "./operation-tracker.ts";
import { readAllQuery } from "./read-all-query.ts";
import { createSharedTail, SHARED_TAIL_DEFAULTS } from "./shared-tail.ts";
import { subscribeToAll } from "./subscription.ts";
import { createWakeup } from "./wakeup.ts";

export interface SqlEventStoreOptions {
  /** PostgreSQL schema holding the tables; one per store lets tests run side by side. Default: "event_store". */
  schema?: string;
  /** How often a live subscription re-reads when no notification came. Default: 500 on a server;
   * 5000 on PGlite, whose only writer is this process: every commit is one of its own appends or a
   * notification inside it, so the poll is a safety net only (at 500 ms it was the idle service's
   * main CPU cost: two WASM queries a second, ~1 % of a core). */
  pollIntervalMs?: number;
  /** Events per page a subscription reads. Default: 500. */
  batchSize?: number;
  /** How often a projection waiting for its lock tries again, ms. Default: the leadership
   * adapter's (200 in process, 2000 on a server). */
  leaderRetryIntervalMs?: number;
  /** Most recent events held in memory so that subscriptions and readAll({after}) calls share one
   * query for the store's tail (see shared-tail.ts); 0 sends every such read to the database.
   * Default: 2000. */
  tailCacheSize?: number;
  /** How long one tail query answers for without a commit this process knows of. Below
   * `pollIntervalMs`, a subscription's poll always queries, so a commit whose notification was
   * lost shows within the poll interval. Default: half of `pollIntervalMs` (250 on a server, 2500 on PGlite). */
  tailCacheMaxAgeMs?: number;
}

/** What projections need besides the events (DESIGN.md §1), sharing the store's database. */
export interface ProjectionSupport {
  checkpoints: CheckpointStore;
  leadership: Leadership;
}

export type SqlEventStore = EventStore & ProjectionSupport;

export const SQL_EVENT_STORE_DEFAULTS = { schema: DEFAULT_SCHEMA, pollIntervalMs: 500, onlyWriterPollIntervalMs: 5000, batchSize: 500, tailCacheSize: SHARED_TAIL_DEFAULTS.capacity } as const;

const MAX_REVISION = 2 ** 31 - 1;

/** The event store over PostgreSQL (server or PGlite). Creates its schema on open; owns `client`
 * and `leadership` (default: in-process, right for PGlite's single process) and closes both on
 * close(). */
export async function createSqlEventStore(client: SqlClient, options: SqlEventStoreOptions = {}, deps: { leadership?: ClosableLeadership; now?: () => number } = {}): Promise<SqlEventStore> {
  const names = schemaNames(options.schema ?? SQL_EVENT_STORE_DEFAULTS.schema);
  // A client whose transactions never overlap is PGlite: this process is its only writer.
  const onlyWriter = client.exclusiveTransactions === true;
  const pollIntervalMs = options.pollIntervalMs ?? (onlyWriter ? SQL_EVENT_STORE_DEFAULTS.onlyWriterPollIntervalMs : SQL_EVENT_STORE_DEFAULTS.pollIntervalMs);
  const batchSize = options.batchSize ?? SQL_EVENT_STORE_DEFAULTS.batchSize;
  await ensureSchema(client, names);
  const wakeup = createWakeup();
  const tailCacheSize = options.tailCacheSize ?? SQL_EVENT_STORE_DEFAULTS.tailCacheSize;
  const tail =
    tailCacheSize > 0
      ? createSharedTail(
          { readAfter: (after, maxCount) => readDirect({ after, maxCount }), now: deps.now ?? Date.now },
          { capacity: tailCacheSize, maxAgeMs: options.tailCacheMaxAgeMs ?? pollIntervalMs / 2, onlyWriter },
        )
      : undefined;
  // The tail learns of the commit before the subscribers wake to read it. The payload is the
  // append's last position (sql-append.ts).
  const unlisten = await client.listen(names.channel, (payload) => {
    tail?.committed(/^\d+$/.test(payload) ? BigInt(payload) : undefined);
    // PGlite notifies inside the append's own statement: woken at once, the subscribers would query
    // for the rows before the append could hand them to the tail. A turn later they read memory.
    setImmediate(() => wakeup.notify());
  });
  const leadership = deps.leadership ?? createInProcessLeadership(options.leaderRetryIntervalMs === undefined ? {} : { retryIntervalMs: options.leaderRetryIntervalMs });

  /** Every operation is tracked so close() can wait for it before closing the connection. */
  const ops = createOperationTracker();
  const track = ops.track;

  async function readDirect(opts: ReadAllOptions): Promise<StoredEvent[]> {
    const { text, params } = readAllQuery(names, opts, limit(opts.maxCount));
    const rows = await client.query<EventRow>(text, params);
    return rows.map(toStoredEvent);
  }

  // A read from the beginning, or from behind what the tail holds, is a catch-up: the database.
  const readAll = (opts: ReadAllOptions = {}): Promise<StoredEvent[]> =>
    track(async () => {
      const maxCount = limit(opts.maxCount);
      const fromTail = tail && opts.after !== undefined ? await tail.read({ after: opts.after, streamPrefix: opts.streamPrefix, maxCount }) : undefined;
      return fromTail ?? readDirect(opts);
    });

  const appendOnce = client.exclusiveTransactions
    ? createExclusiveAppender(client, names)
    : (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision) => appendInTransaction(client, names, streamId, prepareRows(streamId, events), expected);

  const checkpoints = createSqlCheckpointStore({ query: (text, params) => track(() => client.query(text, params)) }, names);

  return {
    checkpoints,
    leadership: { run: leadership.run },

    append: (streamId, events, { expectedRevision }) =>
      track(async () => {
        const { result, written } = await appendOnce(streamId, events, expectedRevision);
        // Before the caller hears of it, so its next tail read sees its own write.
        if (written) tail?.appended(written);
        else tail?.committed(result.position);
        return result;
      }),

    readStream: (streamId, opts: ReadStreamOptions = {}) =>
      track(async () => {
        const backwards = opts.direction === "backwards";
        const from = opts.fromRevision ?? (backwards ? MAX_REVISION : 0);
        const rows = await client.query<EventRow>(
          `SELECT ${EVENT_COLUMNS} FROM ${names.events}
           WHERE stream_id = $1 AND revision ${backwards ? "<=" : ">="} $2
           ORDER BY revision ${backwards ? "DESC" : "ASC"} LIMIT $3`,
          [streamId, Math.min(from, MAX_REVISION), limit(opts.maxCount)],
        );
        return rows.map(toStoredEvent);
      }),

    readAll,
    headPosition: () =>
      track(async () => {
        const [row] = await client.query<{ p: string | null }>(`SELECT max(position)::text AS p FROM ${names.events}`, []);
        return row?.p ? BigInt(row.p) : null;
      }),

    subscribeToAll: (opts = {}) => subscribeToAll({ readAll, wakeup, closed: ops.closed, pollIntervalMs, batchSize }, opts),

    listStreams: (prefix) =>
      track(async () => {
        const rows = await client.query<{ stream_id: string }>(
          `SELECT s.stream_id FROM ${names.streams} s JOIN ${names.events} e ON e.stream_id = s.stream_id AND e.revision = 0
           WHERE s.stream_id LIKE $1 ORDER BY e.position`,
          [likePrefix(prefix)],
        );
        return rows.map((r) => r.stream_id);
      }),

    async close() {
      if (!ops.begin()) return;
      // Holders see their signal abort now, and other nodes can take the locks over.
      await leadership.close();
      await ops.idle();
      await unlisten().catch(() => {});
      await client.close();
    },
  };
}

/** LIMIT NULL means no limit in PostgreSQL. */
function limit(maxCount: number | undefined): number | null {
  if (maxCount === undefined) return null;
  if (!Number.isInteger(maxCount) || maxCount < 0) throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
  return maxCount;
}
