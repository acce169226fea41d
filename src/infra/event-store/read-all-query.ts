import type { ReadAllOptions } from "../../ports/event-store.port.ts";
import { EVENT_COLUMNS } from "./event-rows.ts";
import type { SchemaNames } from "./event-store.schema.ts";

/** The store-wide read in position order, optionally one category of streams.
 *
 * The category filter is `left(stream_id, n) = prefix`, deliberately not `LIKE 'prefix%'`: the
 * planner can serve a LIKE prefix from the (stream_id, revision) index, and without statistics
 * (PGlite never runs autovacuum) it guesses that a category is a handful of rows and prefers that
 * index. Then every subscriber's tail read (the 5 events after its position) walked every event of
 * every task stream ever written, once per append per projection: the store got slower as it grew
 * (issue 12). An expression the index cannot serve leaves the position index as the only path, so a
 * tail read touches the tail. */
export function readAllQuery(names: SchemaNames, opts: ReadAllOptions, limit: number | null): { text: string; params: unknown[] } {
  return {
    text: `SELECT ${EVENT_COLUMNS} FROM ${names.events}
         WHERE position > $1::bigint AND ($2::text IS NULL OR left(stream_id, length($2::text)) = $2::text)
         ORDER BY position LIMIT $3`,
    params: [(opts.after ?? 0n).toString(), opts.streamPrefix ?? null, limit],
  };
}
