import { AppError } from "../../contracts/app-error.ts";
import type { AppendResult, EventMetadata, ExpectedRevision, NewEvent, StoredEvent } from "../../ports/event-store.port.ts";
import { checkExpectedRevision, detectRetry, validateBatch, type ExistingEvent } from "./append-rules.ts";
import type { SchemaNames } from "./event-store.schema.ts";
import { inJsonbOrder } from "./jsonb-order.ts";
import type { SqlClient, SqlExecutor } from "./sql-client.ts";

/** Rows per INSERT: 7 parameters each stays far below PostgreSQL's 65 535-parameter limit. */
export const ROWS_PER_INSERT = 1000;

/** An event ready for its INSERT: serialised once, for the row and for the copy handed back. */
export interface PreparedRow {
  event: NewEvent;
  data: string;
  metadata: string;
}

/** What an append did: its result, and the events as stored when this call wrote them (null: a
 * retry answered from the first write). The store hands the written events to its in-memory tail
 * (shared-tail.ts), so its readers need no query for them. */
export interface SqlAppendOutcome {
  result: AppendResult;
  written: StoredEvent[] | null;
}

export function prepareRows(streamId: string, events: readonly NewEvent[]): PreparedRow[] {
  validateBatch(streamId, events);
  return events.map((event) => ({ event, data: toJson(streamId, event, "data"), metadata: toJson(streamId, event, "metadata") }));
}

/** One append = one transaction. It first takes a transaction-scoped advisory lock for the whole
 * store (unless the client's transactions never overlap anyway), so appends commit one after another: position N+1 is only taken after the transaction
 * holding N has committed and is visible, and a reader that sees N+1 has seen N. A plain sequence
 * would hand out positions that commit out of order and let subscribers skip events. The lock
 * also makes the revision and idempotency checks race-free. */
export async function appendInTransaction(client: SqlClient, names: SchemaNames, streamId: string, rows: readonly PreparedRow[], expected: ExpectedRevision): Promise<SqlAppendOutcome> {
  try {
    return await client.transaction(async (tx) => {
      // Its own statement: under READ COMMITTED the next statement's snapshot then includes
      // everything committed by the previous lock holder. A client whose transactions never overlap
      // (PGlite) has that order already: one round trip into the WASM engine fewer per append.
      if (!client.exclusiveTransactions) await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`${names.schema}:append`]);
      const { current, lastPosition, existing } = await readAppendState(
        tx,
        names,
        streamId,
        rows.map((r) => r.event.id),
      );
      const retried = detectRetry(
        streamId,
        rows.map((r) => r.event),
        existing,
        expected,
        current,
      );
      if (retried) return { result: retried, written: null };
      checkExpectedRevision(streamId, expected, current);
      const first = { position: lastPosition + 1n, revision: (current ?? -1) + 1 };
      for (let start = 0; start + ROWS_PER_INSERT < rows.length; start += ROWS_PER_INSERT) {
        await tx.query(...insertRows(names, streamId, rows.slice(start, start + ROWS_PER_INSERT), first, start));
      }
      const lastChunk = Math.floor((rows.length - 1) / ROWS_PER_INSERT) * ROWS_PER_INSERT;
      return await insertLastChunk(tx, names, streamId, rows, first, lastChunk);
    });
  } catch (error) {
    throw translateDriverError(streamId, error);
  }
}

/** The INSERT of `rows` (the batch's rows from index `offset`), placed after `first`. */
function insertRows(names: SchemaNames, streamId: string, rows: readonly PreparedRow[], first: { position: bigint; revision: number }, offset: number): [string, unknown[]] {
  const params: unknown[] = [];
  const values = rows.map((row, i) => {
    const n = offset + i;
    params.push((first.position + BigInt(n)).toString(), row.event.id, streamId, first.revision + n, row.event.type, row.data, row.metadata);
    const p = params.length - 7;
    return `($${p + 1}::bigint, $${p + 2}::uuid, $${p + 3}, $${p + 4}::integer, $${p + 5}, $${p + 6}::jsonb, $${p + 7}::jsonb)`;
  });
  return [`INSERT INTO ${names.events} (position, id, stream_id, revision, type, data, metadata) VALUES ${values.join(", ")}`, params];
}

/** The batch's last chunk (from `offset`), the stream's head and the wake-up in one statement
 * (data-modifying CTEs always run; NOTIFY is delivered at commit, so a woken subscriber finds the
 * rows). The head moves only from the revision before the batch: otherwise the statement fails
 * (division by zero) and takes its rows with it, so an append placed on a wrong guess of the head
 * (exclusive-append.ts) can never land. */
export async function insertLastChunk(
  tx: SqlExecutor,
  names: SchemaNames,
  streamId: string,
  rows: readonly PreparedRow[],
  first: { position: bigint; revision: number },
  offset = 0,
): Promise<SqlAppendOutcome> {
  const [insert, params] = insertRows(names, streamId, rows.slice(offset), first, offset);
  const nextRevision = first.revision + rows.length - 1;
  const position = first.position + BigInt(rows.length - 1);
  const p = params.length;
  params.push(streamId, nextRevision, position.toString(), names.channel, first.revision - 1);
  const [row] = await tx.query<{ created_at: Date | string }>(
    `WITH inserted AS (${insert} RETURNING created_at),
     head AS (INSERT INTO ${names.streams} (stream_id, revision, position) VALUES ($${p + 1}, $${p + 2}::integer, $${p + 3}::bigint)
       ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision, position = excluded.position
       WHERE ${names.streams}.revision = $${p + 5}::integer RETURNING 1)
     SELECT pg_notify($${p + 4}::text, $${p + 3}::text), (SELECT created_at FROM inserted LIMIT 1) AS created_at, 1 / (SELECT count(*)::integer FROM head) AS head_moved`,
    params,
  );
  if (!row) throw new Error("append statement returned no row");
  const createdAt = row.created_at instanceof Date ? row.created_at : new Date(row.created_at);
  return { result: { nextRevision, position }, written: storedEvents(streamId, rows, first, createdAt) };
}

/** The batch as a read would return it: lowercase ids, jsonb's key order, the row's timestamp. */
function storedEvents(streamId: string, rows: readonly PreparedRow[], first: { position: bigint; revision: number }, createdAt: Date): StoredEvent[] {
  return rows.map((row, i) => ({
    id: row.event.id.toLowerCase(),
    type: row.event.type,
    data: inJsonbOrder(JSON.parse(row.data)),
    metadata: inJsonbOrder(JSON.parse(row.metadata)) as EventMetadata,
    streamId,
    revision: first.revision + i,
    position: first.position + BigInt(i),
    createdAt,
  }));
}

/** The stream's head, the store's last position and any of the batch's ids already stored, in
 * one round trip. */
async function readAppendState(tx: SqlExecutor, names: SchemaNames, streamId: string, ids: string[]) {
  const [row] = await tx.query<{ current: number | null; last_position: string; existing: { id: string; stream_id: string; revision: number; position: string }[] }>(
    `SELECT
       (SELECT revision FROM ${names.streams} WHERE stream_id = $1) AS current,
       (SELECT coalesce(max(position), 0)::text FROM ${names.events}) AS last_position,
       (SELECT coalesce(json_agg(json_build_object('id', id::text, 'stream_id', stream_id, 'revision', revision, 'position', position::text)), '[]'::json)
          FROM ${names.events} WHERE id = ANY($2::uuid[])) AS existing`,
    [streamId, ids],
  );
  if (!row) throw new Error("append state query returned no row");
  const existing: ExistingEvent[] = row.existing.map((r) => ({ id: r.id, streamId: r.stream_id, revision: r.revision, position: BigInt(r.position) }));
  return { current: row.current, lastPosition: BigInt(row.last_position), existing };
}

function toJson(streamId: string, event: NewEvent, field: "data" | "metadata"): string {
  try {
    return JSON.stringify(event[field] ?? null);
  } catch (error) {
    throw new AppError("INVALID_APPEND", `append to ${streamId}: event ${event.id} ${field} is not JSON-serialisable`, { cause: error });
  }
}

/** Values PostgreSQL refuses in jsonb (e.g. "\u0000") are the caller's bad input, not an outage. */
export function translateDriverError(streamId: string, error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "22P05" || code === "22P02") {
    return new AppError("INVALID_APPEND", `append to ${streamId}: ${(error as Error).message}`, { cause: error });
  }
  return error;
}
