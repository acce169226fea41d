import type { AllStreamResolvedEvent, AppendStreamState, CurrentStreamState, JSONEventData, JSONType, Position, ResolvedEvent } from "@kurrent/kurrentdb-client";
import { AppError } from "../../../contracts/app-error.ts";
import type { EventMetadata, ExpectedRevision, NewEvent, StoredEvent } from "../../../ports/event-store.port.ts";

/**
 * Pure translations between the port's types and the KurrentDB client's. Only types come from the
 * client (its constants are the same string literals), so this file loads nothing at run time.
 *
 * Positions. KurrentDB orders `$all` by a log position {commit, prepare}. Every event appended
 * over gRPC is an implicitly committed prepare, for which the server reports commit = prepare =
 * the event's own log offset (AllReader: `new TFPos(logPosition, logPosition)`), unique and
 * increasing in `$all` order. So the port's bigint `position` is the commit position, and a read or
 * subscription resumes from `{ commit: p, prepare: p }`. Events written by legacy TCP clients in
 * explicit transactions share their commit record's position; a store holding those would give
 * equal positions to the events of one transaction, which the port does not allow.
 */

export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  if (expected === "any" || expected === "no_stream" || expected === "stream_exists") return expected;
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new AppError("INVALID_APPEND", `expected revision must be a non-negative integer, "no_stream", "stream_exists" or "any", got ${String(expected)}`);
  }
  return BigInt(expected);
}

/** The client's view of a stream's head after a failed expectation. Deleted (-5) and tombstoned
 * (-6) streams report negative revisions: to a writer they are as good as absent. */
export function fromCurrentState(state: CurrentStreamState): number | "no_stream" {
  if (state === "no_stream" || state < 0n) return "no_stream";
  return toRevision(state);
}

export function toRevision(revision: bigint): number {
  if (revision < 0n || revision > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`stream revision ${revision} is outside 0..2^53-1`);
  return Number(revision);
}

export function toPosition(position: bigint): Position {
  if (position < 0n) throw new RangeError(`position must be non-negative, got ${position}`);
  return { commit: position, prepare: position };
}

export function fromPosition(position: Position): bigint {
  return position.commit;
}

/** Our events are JSON with our metadata object. Serialising here (the client would do it later)
 * turns a bigint or a cycle into the caller's INVALID_APPEND before anything is sent. */
export function toEventData(streamId: string, event: NewEvent): JSONEventData {
  const json = (field: "data" | "metadata"): JSONType => {
    let text: string | undefined;
    try {
      text = JSON.stringify(event[field] ?? null);
    } catch (error) {
      throw new AppError("INVALID_APPEND", `append to ${streamId}: event ${event.id} ${field} is not JSON-serialisable`, { cause: error, details: { streamId } });
    }
    // Round-tripped so what is sent is exactly what a reader gets back (Dates become strings…).
    return JSON.parse(text ?? "null") as JSONType;
  };
  return { id: event.id, contentType: "application/json", type: event.type, data: json("data"), metadata: json("metadata") };
}

/** Events other writers put in the store may lack our metadata; they read back with empty ids. */
const NO_METADATA: EventMetadata = { correlation_id: "", causation_id: "" };

/** A read or subscribed event as the port's StoredEvent; null when there is no record (a link
 * whose target was deleted). */
export function toStoredEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): StoredEvent | null {
  const recorded = resolved.event;
  if (recorded === undefined) return null;
  const commit = recorded.position?.commit ?? resolved.commitPosition;
  if (commit === undefined) {
    throw new Error(`KurrentDB returned event ${recorded.id} of ${recorded.streamId} without a log position: the adapter needs a server ≥ 22.6`);
  }
  const metadata = recorded.metadata;
  const isObject = typeof metadata === "object" && metadata !== null && !Array.isArray(metadata) && !(metadata instanceof Uint8Array);
  return {
    id: recorded.id,
    type: recorded.type,
    data: recorded.data,
    metadata: isObject ? (metadata as EventMetadata) : NO_METADATA,
    streamId: recorded.streamId,
    revision: toRevision(recorded.revision),
    position: commit,
    createdAt: recorded.created,
  };
}

/** `$all` reads from a position are inclusive, the port's `after` is exclusive: drops what is not
 * strictly after `after` and keeps at most `maxCount` (the read asked for one more). */
export function strictlyAfter(events: readonly StoredEvent[], after: bigint | undefined, maxCount?: number): StoredEvent[] {
  const kept = after === undefined ? [...events] : events.filter((e) => e.position > after);
  return maxCount === undefined ? kept : kept.slice(0, maxCount);
}

export function checkMaxCount(maxCount: number | undefined): void {
  if (maxCount !== undefined && (!Number.isInteger(maxCount) || maxCount < 0)) {
    throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
  }
}
