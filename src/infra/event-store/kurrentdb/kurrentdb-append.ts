import type { KurrentDBClient } from "@kurrent/kurrentdb-client";
import { AppError } from "../../../contracts/app-error.ts";
import type { AppendResult, ExpectedRevision, NewEvent, StoredEvent } from "../../../ports/event-store.port.ts";
import { validateBatch } from "../append-rules.ts";
import { translateAppendError } from "./kurrentdb-errors.ts";
import { fromPosition, toEventData, toRevision, toStreamState } from "./kurrentdb-mapping.ts";

/**
 * Appends with the port's semantics. Where KurrentDB differs from the SQL adapter:
 * - Idempotency is the server's: a batch re-sent with the same ids and the expectation it first
 *   had succeeds without writing. With a numeric/no_stream expectation the server checks the
 *   events at those revisions, so this holds at any distance; with "any" it only holds while the
 *   ids are in the server's recent-commits cache (its idempotency window).
 * - Event ids are unique per stream only: the same id appended to another stream is a new event
 *   (the SQL adapter refuses it with INVALID_APPEND).
 * - A server-side idempotent success carries no log position, so the batch is read back: that
 *   gives the position the first append had, and proves the ids sit at those revisions in this
 *   order (a reordered batch under "any" passes the server's check; it is refused here).
 */
export async function appendToKurrent(
  target: { client: KurrentDBClient; serverStreamId: string; deadline: number; readBack: (fromRevision: number, maxCount: number) => Promise<StoredEvent[]> },
  streamId: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
): Promise<AppendResult> {
  validateBatch(streamId, events);
  const streamState = toStreamState(expected);
  const data = events.map((event) => toEventData(streamId, event));
  let result;
  try {
    result = await target.client.appendToStream(target.serverStreamId, data, { streamState, deadline: target.deadline });
  } catch (error) {
    throw translateAppendError(streamId, expected, error);
  }
  const nextRevision = toRevision(result.nextExpectedRevision);
  if (result.position !== undefined) return { nextRevision, position: fromPosition(result.position) };
  const firstRevision = nextRevision - events.length + 1;
  const stored = firstRevision < 0 ? [] : await target.readBack(firstRevision, events.length);
  return { nextRevision, position: matchRetriedBatch(streamId, events, stored) };
}

/** The position of a batch the server took as a retry, after checking that `stored` (the events
 * at the revisions it reported) are the batch's ids in order. */
export function matchRetriedBatch(streamId: string, events: readonly NewEvent[], stored: readonly StoredEvent[]): bigint {
  const same = stored.length === events.length && events.every((e, i) => stored[i]!.id.toLowerCase() === e.id.toLowerCase());
  if (!same) {
    throw new AppError("INVALID_APPEND", `append to ${streamId}: the event ids were already appended in a different order or position: a retry must resend exactly the same batch`, {
      details: { streamId, eventIds: events.map((e) => e.id) },
    });
  }
  return stored[stored.length - 1]!.position;
}
