import { AppError } from "../../../contracts/app-error.ts";
import type { ExpectedRevision } from "../../../ports/event-store.port.ts";
import { RevisionConflictError } from "../../../ports/revision-conflict.error.ts";
import { fromCurrentState } from "./kurrentdb-mapping.ts";

/** Driver errors become the port's at the adapter boundary (STYLE.md §2). Matched on the client's
 * stable `type` strings rather than classes, so the rules are testable with plain objects. */
interface ClientError {
  type?: unknown;
  actualState?: unknown;
  message?: unknown;
}

export function translateAppendError(streamId: string, expected: ExpectedRevision, error: unknown): unknown {
  const e = (typeof error === "object" && error !== null ? error : {}) as ClientError;
  switch (e.type) {
    case "wrong-expected-version": {
      // "any" never conflicts on a revision: the server says wrong-expected-version there when the
      // batch repeats some of an earlier append's ids but not all (corrupted idempotency).
      if (expected === "any") return invalid(streamId, "some of the event ids were already appended: a retry must resend exactly the same batch", error);
      const actual = typeof e.actualState === "bigint" || e.actualState === "no_stream" ? fromCurrentState(e.actualState) : "no_stream";
      return new RevisionConflictError(streamId, expected, actual);
    }
    case "invalid-transaction":
      return invalid(streamId, "the server refused the batch as an invalid transaction (reused event ids?)", error);
    case "maximum-append-size-exceeded":
    case "append-record-size-exceeded":
    case "transaction-max-size-exceeded":
      return invalid(streamId, `the batch is larger than the server accepts (${String(e.message)})`, error);
    case "stream-deleted":
    case "stream-tombstoned":
      return invalid(streamId, "the stream was deleted; it cannot be written again", error);
    default:
      return error;
  }
}

/** True for the client's "this stream does not exist" on a read: the port reads it as empty. */
export function isStreamNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as ClientError).type === "stream-not-found";
}

function invalid(streamId: string, message: string, cause: unknown): AppError {
  return new AppError("INVALID_APPEND", `append to ${streamId}: ${message}`, { cause, details: { streamId } });
}
