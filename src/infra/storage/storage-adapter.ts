import type { ObjectInfo, ObjectStorage } from "../../ports/storage.port.ts";

/** What `head` knows beyond the port's ObjectInfo. Both adapters return it; the port may adopt it. */
export interface StoredObjectInfo extends ObjectInfo {
  contentType: string;
}

/** The storage port as these adapters implement it: `head` also reports the stored content type. */
export interface StorageAdapter extends ObjectStorage {
  head(bucket: string, key: string): Promise<StoredObjectInfo | null>;
}

/** The caller's abort reason when it aborted, else the error itself: a cancelled transfer must surface
 * as the cancellation, not as a storage failure that would be retried. */
export function abortReasonOr(signal: AbortSignal | undefined, error: unknown): unknown {
  return signal?.aborted ? signal.reason : error;
}
