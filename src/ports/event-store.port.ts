/** The event store port (DESIGN.md §6). Adapters: PostgreSQL (server or PGlite), KurrentDB. */

export interface EventMetadata {
  /** = task_id for task streams. */
  correlation_id: string;
  /** The event (or message id) that caused this one. */
  causation_id: string;
  machine_version?: string;
  [key: string]: unknown;
}

export interface NewEvent<T extends string = string, D = unknown> {
  /** UUID. Re-appending an event with the same id to the same stream is a no-op (idempotent). */
  id: string;
  type: T;
  data: D;
  metadata: EventMetadata;
}

export interface StoredEvent<T extends string = string, D = unknown> extends NewEvent<T, D> {
  streamId: string;
  /** 0-based position within its stream. */
  revision: number;
  /** Position in the store-wide log; strictly increasing in commit order. */
  position: bigint;
  createdAt: Date;
}

/** `no_stream`: the stream must not exist; `any`: no check; a number: the revision of the last event. */
export type ExpectedRevision = number | "no_stream" | "stream_exists" | "any";

export interface AppendResult {
  /** Revision of the last event in the stream after the append. */
  nextRevision: number;
  position: bigint;
}

export interface ReadStreamOptions {
  direction?: "forwards" | "backwards";
  /** Inclusive. Default: start (forwards) or end (backwards). */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Default: from the beginning. */
  after?: bigint;
  maxCount?: number;
  /** Only streams whose id starts with this prefix, e.g. "task-". */
  streamPrefix?: string;
}

export interface SubscribeOptions extends Omit<ReadAllOptions, "maxCount"> {
  signal?: AbortSignal;
}

export interface EventStore {
  append(streamId: string, events: readonly NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult>;
  /** Events of one stream; an empty array when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  /** Catch-up then live: every event after `after`, in position order, never skipping or
   * reordering, until the signal aborts. */
  subscribeToAll(options?: SubscribeOptions): AsyncIterable<StoredEvent>;
  /** The position of the store's last event, null when it is empty: where a live-only subscriber
   * starts. */
  headPosition(): Promise<bigint | null>;
  /** Ids of the streams with a prefix, oldest first (by their first event's position). */
  listStreams(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}
