import type { EventMetadata, StoredEvent } from "../../ports/event-store.port.ts";

/** Drivers disagree on int8 (PGlite: a lossy number, pg: a string) and uuid case, so positions
 * travel as text and ids as lowercase text. The text aliases must not shadow the columns: an
 * `ORDER BY position` would then sort "10" before "9". */
export const EVENT_COLUMNS = "position::text AS position_text, id::text AS id_text, stream_id, revision, type, data, metadata, created_at";

export interface EventRow {
  position_text: string;
  id_text: string;
  stream_id: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  created_at: Date | string;
}

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: row.id_text,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    streamId: row.stream_id,
    revision: row.revision,
    position: BigInt(row.position_text),
    createdAt: row.created_at instanceof Date ? row.created_at : new Date(row.created_at),
  };
}

/** `LIKE` pattern for "starts with", with the pattern characters of the prefix escaped. */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
