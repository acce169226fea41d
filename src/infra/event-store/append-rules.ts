import { AppError } from "../../contracts/app-error.ts";
import type { ExpectedRevision, NewEvent } from "../../ports/event-store.port.ts";
import { RevisionConflictError } from "../../ports/revision-conflict.error.ts";

/** Pure decisions of an append, kept apart from SQL so they read as the rules they are. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An event already in the store, as far as an append needs to know. */
export interface ExistingEvent {
  id: string;
  streamId: string;
  revision: number;
  position: bigint;
}

export function validateBatch(streamId: string, events: readonly NewEvent[]): void {
  const fail = (message: string) => new AppError("INVALID_APPEND", `append to ${streamId}: ${message}`, { details: { streamId } });
  if (streamId.length === 0) throw fail("empty stream id");
  if (events.length === 0) throw fail("no events");
  const seen = new Set<string>();
  for (const event of events) {
    if (!UUID.test(event.id)) throw fail(`event id ${JSON.stringify(event.id)} is not a UUID`);
    if (seen.has(event.id.toLowerCase())) throw fail(`event id ${event.id} appears twice in the batch`);
    seen.add(event.id.toLowerCase());
    if (typeof event.type !== "string" || event.type.length === 0) throw fail(`event ${event.id} has no type`);
  }
}

/** Throws RevisionConflictError unless the stream is where the writer expects it. `current` is
 * the revision of the stream's last event, or null when the stream does not exist. */
export function checkExpectedRevision(streamId: string, expected: ExpectedRevision, current: number | null): void {
  const ok = expected === "any" || (expected === "no_stream" && current === null) || (expected === "stream_exists" && current !== null) || (typeof expected === "number" && expected === current);
  if (!ok) throw new RevisionConflictError(streamId, expected, current ?? "no_stream");
}

/** A retried append (same ids, same order, at the revisions they were first written at) returns
 * the first append's result instead of writing twice, as EventStoreDB does. Returns null when
 * none of the ids exist; throws for any other overlap, which is a bug in the caller. */
export function detectRetry(
  streamId: string,
  events: readonly NewEvent[],
  existing: readonly ExistingEvent[],
  expected: ExpectedRevision,
  current: number | null,
): { nextRevision: number; position: bigint } | null {
  if (existing.length === 0) return null;
  const fail = (message: string) => new AppError("INVALID_APPEND", `append to ${streamId}: ${message}`, { details: { streamId, eventIds: existing.map((e) => e.id) } });
  const elsewhere = existing.find((e) => e.streamId !== streamId);
  if (elsewhere) throw fail(`event id ${elsewhere.id} is already in stream ${elsewhere.streamId}`);
  if (existing.length !== events.length) {
    throw fail(`${existing.length} of ${events.length} event ids were already appended: a retry must resend exactly the same batch`);
  }
  const byId = new Map(existing.map((e) => [e.id.toLowerCase(), e]));
  const first = byId.get(events[0]!.id.toLowerCase())!;
  let last = first;
  for (const [i, event] of events.entries()) {
    const row = byId.get(event.id.toLowerCase())!;
    if (row.revision !== first.revision + i) throw fail(`event ids were already appended in a different order or position`);
    last = row;
  }
  // The retry must carry the expectation the first attempt had; otherwise it is a different write.
  const originalExpected = first.revision - 1;
  const compatible = expected === "any" || expected === originalExpected || (expected === "no_stream" && originalExpected === -1) || (expected === "stream_exists" && originalExpected >= 0);
  if (!compatible) throw new RevisionConflictError(streamId, expected, current ?? "no_stream");
  return { nextRevision: last.revision, position: last.position };
}
