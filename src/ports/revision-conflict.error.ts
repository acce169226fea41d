import type { ExpectedRevision } from "./event-store.port.ts";

/** The store's fence (DESIGN.md §1): an append whose expected revision is not the stream's. */
export class RevisionConflictError extends Error {
  readonly code = "REVISION_CONFLICT";
  readonly streamId: string;
  readonly expected: ExpectedRevision;
  readonly actual: number | "no_stream";

  constructor(streamId: string, expected: ExpectedRevision, actual: number | "no_stream") {
    super(`revision conflict on ${streamId}: expected ${String(expected)}, actual ${String(actual)}`);
    this.name = "RevisionConflictError";
    this.streamId = streamId;
    this.expected = expected;
    this.actual = actual;
  }
}
