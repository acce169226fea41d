import { AppError } from "../../contracts/app-error.ts";
import type { AppendResult, ExpectedRevision, NewEvent } from "../../ports/event-store.port.ts";
import { checkExpectedRevision, detectRetry, validateBatch, type ExistingEvent } from "./append-rules.ts";
import type { SchemaNames } from "./event-store.schema.ts";
import type { SqlClient, SqlExecutor } from "./sql-client.ts";

/** Rows per INSERT: 7 parameters each stays far below PostgreSQL's 65 535-parameter limit. */
const ROWS_PER_INSERT = 1000;

/** One append = one transaction. It first takes a transaction-scoped advisory lock for the whole
 * store (unless the client's transactions never overlap anyway), so appends commit one after another: position N+1 is only taken after the transaction
 * holding N has committed and is visible, and a reader that sees N+1 has seen N. A plain sequence
 * would hand out positions that commit out of order and let subscribers skip events. The lock
 * also makes the revision and idempotency checks race-free. */
export async function appendInTransaction(client: SqlClient, names: SchemaNames, streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
  validateBatch(streamId, events);
  const rows = events.map((event) => ({ event, data: toJson(streamId, event, "data"), metadata: toJson(streamId, event, "metadata") }));
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
        events.map((e) => e.id),
      );
      const retried = detectRetry(streamId, events, existing, expected, current);
      if (retried) return retried;
      checkExpectedRevision(streamId, expected, current);

      const firstPosition = lastPosition + 1n;
      const firstRevision = (current ?? -1) + 1;
      const nextRevision = firstRevision + events.length - 1;
      const position = firstPosition + BigInt(events.length - 1);
      for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
        const params: unknown[] = [];
        const values = rows.slice(start, start + ROWS_PER_INSERT).map((row, i) => {
          const n = start + i;
          params.push((firstPosition + BigInt(n)).toString(), row.event.id, streamId, firstRevision + n, row.event.type, row.data, row.metadata);
          const p = params.length - 7;
          return `($${p + 1}::bigint, $${p + 2}::uuid, $${p + 3}, $${p + 4}::integer, $${p + 5}, $${p + 6}::jsonb, $${p + 7}::jsonb)`;
        });
        const insert = `INSERT INTO ${names.events} (position, id, stream_id, revision, type, data, metadata) VALUES ${values.join(", ")}`;
        if (start + ROWS_PER_INSERT < rows.length) {
          await tx.query(insert, params);
          continue;
        }
        // The last chunk, the stream's head and the wake-up travel in one round trip (data-modifying
        // CTEs always run). NOTIFY is delivered at commit, so a woken subscriber finds the rows.
        const p = params.length;
        params.push(streamId, nextRevision, position.toString(), names.channel);
        await tx.query(
          `WITH inserted AS (${insert} RETURNING 1),
           head AS (INSERT INTO ${names.streams} (stream_id, revision, position) VALUES ($${p + 1}, $${p + 2}::integer, $${p + 3}::bigint)
             ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision, position = excluded.position RETURNING 1)
           SELECT pg_notify($${p + 4}::text, $${p + 3}::text)`,
          params,
        );
      }
      return { nextRevision, position };
    });
  } catch (error) {
    throw translateDriverError(streamId, error);
  }
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
function translateDriverError(streamId: string, error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "22P05" || code === "22P02") {
    return new AppError("INVALID_APPEND", `append to ${streamId}: ${(error as Error).message}`, { cause: error });
  }
  return error;
}
