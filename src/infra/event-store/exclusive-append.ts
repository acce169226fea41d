import type { ExpectedRevision, NewEvent } from "../../ports/event-store.port.ts";
import type { SchemaNames } from "./event-store.schema.ts";
import { appendInTransaction, insertLastChunk, prepareRows, ROWS_PER_INSERT, translateDriverError, type SqlAppendOutcome } from "./sql-append.ts";
import type { SqlClient } from "./sql-client.ts";

export interface ExclusiveAppendOptions {
  /** Stream heads remembered (most recently appended first). Default: 10 000. */
  heads?: number;
}

export const EXCLUSIVE_APPEND_DEFAULTS = { heads: 10_000 } as const;

/** Violations that mean a guess of the head or the last position was wrong (or that an id is
 * already stored: a retry), never a bad append in itself. */
const WRONG_GUESS = new Set(["23505", "22012"]);

/** Appends for a client whose transactions never overlap (PGlite, issue 12). Each append in
 * transaction costs four round trips into the database (BEGIN, the stream's head + the last
 * position + the batch's ids, the insert, COMMIT), and reading the head is the dearest of them:
 * planning three subqueries. Here appends are queued in this process, which then knows the last
 * position and the heads of the streams it wrote, and most appends are one statement (autocommit).
 *
 * Knowing is only a guess that the database checks: the events' unique (stream, revision) and
 * position keys, the id's unique key and the head's guarded move (sql-append.ts) make a statement
 * placed on a wrong guess fail whole. Then, and whenever nothing is known (a stream met for the
 * first time, a retry, an expectation the guess does not meet), the append runs in transaction and
 * decides on what the database holds: the same answer, the same errors as without this path. */
export function createExclusiveAppender(client: SqlClient, names: SchemaNames, options: ExclusiveAppendOptions = {}) {
  const capacity = options.heads ?? EXCLUSIVE_APPEND_DEFAULTS.heads;
  const heads = new Map<string, number>();
  let lastPosition: bigint | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  function remember(streamId: string, outcome: SqlAppendOutcome): void {
    heads.delete(streamId);
    if (outcome.written === null) return;
    heads.set(streamId, outcome.result.nextRevision);
    if (heads.size > capacity) heads.delete(heads.keys().next().value!);
    lastPosition = outcome.result.position;
  }

  function forget(streamId: string): void {
    heads.delete(streamId);
    lastPosition = undefined;
  }

  async function appendNow(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<SqlAppendOutcome> {
    const rows = prepareRows(streamId, events);
    // A stream this process never wrote may exist: only "no_stream" can be tried (revision 0 is taken if it does).
    const head = heads.has(streamId) ? heads.get(streamId)! : expected === "no_stream" ? null : undefined;
    const meetsExpectation = expected === "any" || (expected === "no_stream" && head === null) || (expected === "stream_exists" && head !== null) || expected === head;
    if (lastPosition !== undefined && head !== undefined && meetsExpectation && rows.length <= ROWS_PER_INSERT) {
      try {
        const outcome = await insertLastChunk(client, names, streamId, rows, { position: lastPosition + 1n, revision: (head ?? -1) + 1 });
        remember(streamId, outcome);
        return outcome;
      } catch (error) {
        forget(streamId);
        if (!WRONG_GUESS.has((error as { code?: unknown } | null)?.code as string)) throw translateDriverError(streamId, error);
      }
    }
    try {
      const outcome = await appendInTransaction(client, names, streamId, rows, expected);
      remember(streamId, outcome);
      return outcome;
    } catch (error) {
      forget(streamId);
      throw error;
    }
  }

  /** One at a time, in call order: the guesses above hold only if nothing of this store's writes in between. */
  return (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<SqlAppendOutcome> => {
    const turn = queue.then(() => appendNow(streamId, events, expected));
    queue = turn.catch(() => {});
    return turn;
  };
}
