import { randomUUID } from "node:crypto";
import type { CheckpointStore } from "../../../ports/checkpoint-store.port.ts";
import type { EventStore } from "../../../ports/event-store.port.ts";
import { RevisionConflictError } from "../../../ports/revision-conflict.error.ts";
import { checkpointStream } from "./kurrentdb-streams.ts";

/** The stream operations a checkpoint store needs: any EventStore has them. */
export type StreamOps = Pick<EventStore, "append" | "readStream">;

export interface StreamCheckpointStoreOptions {
  /** Prefix of the bookkeeping streams. */
  internalPrefix: string;
  /** Called once when a checkpoint stream is created, e.g. to cap it to its last event. */
  onStreamCreated?: (streamId: string) => Promise<void>;
}

const CHECKPOINT_TYPE = "CheckpointSaved";
const MAX_ATTEMPTS = 10;

/** What a save does given the stored checkpoint: a checkpoint never moves backwards. */
export function shouldWriteCheckpoint(stored: bigint | null, proposed: bigint): boolean {
  return stored === null || proposed > stored;
}

/** Positions travel as decimal strings: JSON numbers lose precision past 2^53. */
export function parseCheckpoint(data: unknown): bigint | null {
  const text = (data as { position?: unknown } | null)?.position;
  return typeof text === "string" && /^\d{1,20}$/.test(text) ? BigInt(text) : null;
}

/** A checkpoint per projection as the last event of its own stream, written with the expected
 * revision of the event it read, so two savers cannot interleave a rewind. */
export function createStreamCheckpointStore(store: StreamOps, options: StreamCheckpointStoreOptions): CheckpointStore {
  const head = async (name: string) => {
    const [last] = await store.readStream(checkpointStream(options.internalPrefix, name), { direction: "backwards", maxCount: 1 });
    return last === undefined ? { revision: null, position: null } : { revision: last.revision, position: parseCheckpoint(last.data) };
  };

  return {
    async load(name) {
      checkName(name);
      return (await head(name)).position;
    },

    async save(name, position) {
      checkName(name);
      if (typeof position !== "bigint" || position < 0n) throw new RangeError(`checkpoint ${name}: position must be a non-negative bigint, got ${String(position)}`);
      const streamId = checkpointStream(options.internalPrefix, name);
      for (let attempt = 1; ; attempt++) {
        const current = await head(name);
        if (!shouldWriteCheckpoint(current.position, position)) return;
        const event = { id: randomUUID(), type: CHECKPOINT_TYPE, data: { position: position.toString() }, metadata: { correlation_id: name, causation_id: name } };
        try {
          await store.append(streamId, [event], { expectedRevision: current.revision ?? "no_stream" });
          if (current.revision === null) await options.onStreamCreated?.(streamId);
          return;
        } catch (error) {
          // Another saver got in between: re-read and decide again.
          if (!(error instanceof RevisionConflictError) || attempt >= MAX_ATTEMPTS) throw error;
        }
      }
    },
  };
}

function checkName(name: string): void {
  if (typeof name !== "string" || name.length === 0 || name.length > 200) throw new RangeError(`checkpoint name must be 1–200 characters, got ${JSON.stringify(name)}`);
}
