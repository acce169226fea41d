import type { CheckpointStore } from "../ports/checkpoint-store.port.ts";

export interface CheckpointWriterOptions {
  checkpoints: CheckpointStore;
  name: string;
  /** Save after this many handled events. 1 = after every event (the smallest re-delivered tail
   * after a crash, one write per event). Default: 50. */
  everyEvents?: number;
  /** Save a pending position at least this often, also while no events arrive. Default: 1000. */
  everyMs?: number;
  /** Gets a failed background save; the position stays pending and the next save retries it. */
  onError?: (error: unknown) => void;
}

export const CHECKPOINT_WRITER_DEFAULTS = { everyEvents: 50, everyMs: 1000 } as const;

export interface CheckpointWriter {
  /** Marks every event up to `position` as fully handled; saves when a threshold is reached. */
  handled(position: bigint): Promise<void>;
  /** Saves what is pending and stops the timer. */
  close(): Promise<void>;
}

/** Batches checkpoint saves. A position is only passed in after its effects are done, so a crash
 * replays at most the unsaved tail (at-least-once), never skips. */
export function createCheckpointWriter(o: CheckpointWriterOptions): CheckpointWriter {
  const everyEvents = o.everyEvents ?? CHECKPOINT_WRITER_DEFAULTS.everyEvents;
  const everyMs = o.everyMs ?? CHECKPOINT_WRITER_DEFAULTS.everyMs;
  let pending: bigint | null = null;
  let count = 0;
  let lastSaveAt = Date.now();
  let chain: Promise<void> = Promise.resolve();

  // Saves run one after another; a failed one puts its position back unless a newer one is pending.
  const flush = (): Promise<void> => {
    chain = chain.then(async () => {
      if (pending === null) return;
      const position = pending;
      pending = null;
      count = 0;
      lastSaveAt = Date.now();
      try {
        await o.checkpoints.save(o.name, position);
      } catch (error) {
        pending ??= position;
        throw error;
      }
    });
    const result = chain;
    chain = chain.catch(() => {});
    return result;
  };

  const timer = setInterval(
    () => {
      if (pending !== null && Date.now() - lastSaveAt >= everyMs) flush().catch((error: unknown) => o.onError?.(error));
    },
    Math.max(10, Math.floor(everyMs / 2)),
  );
  timer.unref();

  return {
    async handled(position) {
      pending = position;
      count += 1;
      if (count >= everyEvents || Date.now() - lastSaveAt >= everyMs) await flush();
    },
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
