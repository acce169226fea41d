/** The results waiting for their next POST, each on its own timer, at most `concurrency` POSTs at a
 * time. It knows the store position of each result's outcome event, so the projection's checkpoint
 * never passes a result still being delivered (`lowWater`). */
export interface PendingDeliveries {
  /** Schedules `run` for `messageId` at `dueAt` (ms; null: now). A result already pending keeps its slot. */
  add(messageId: string, position: bigint, dueAt: number | null): void;
  /** The highest position the checkpoint may take: just before the oldest pending result. */
  lowWater(handled: bigint | null): bigint | null;
  readonly size: number;
  /** Stops every timer; running POSTs see the signal passed to `run`. */
  stop(): void;
}

/** `run` answers the next due time (ms) or null when the result is finished; a throw is fatal. */
export function createPendingDeliveries(o: {
  run: (messageId: string) => Promise<number | null>;
  onFatal: (error: unknown) => void;
  onChange: () => void;
  concurrency: number;
  now?: () => number;
}): PendingDeliveries {
  const now = o.now ?? Date.now;
  const pending = new Map<string, { position: bigint; timer: NodeJS.Timeout | null }>();
  const queue: string[] = [];
  let running = 0;
  let stopped = false;

  const schedule = (messageId: string, dueAt: number | null) => {
    const entry = pending.get(messageId);
    if (!entry || stopped) return;
    const wait = Math.max(0, (dueAt ?? 0) - now());
    entry.timer = setTimeout(
      () => {
        entry.timer = null;
        queue.push(messageId);
        pump();
      },
      Math.min(wait, 2 ** 31 - 1),
    );
  };
  const pump = () => {
    while (!stopped && running < o.concurrency && queue.length > 0) {
      const messageId = queue.shift()!;
      running += 1;
      o.run(messageId).then(
        (next) => {
          running -= 1;
          // Once stopped nothing is finished any more: what was pending stays behind the checkpoint.
          if (stopped) return;
          if (next === null) {
            pending.delete(messageId);
            o.onChange();
          } else schedule(messageId, next);
          pump();
        },
        (error: unknown) => {
          running -= 1;
          if (!stopped) o.onFatal(error);
        },
      );
    }
  };

  return {
    add(messageId, position, dueAt) {
      if (stopped || pending.has(messageId)) return;
      pending.set(messageId, { position, timer: null });
      schedule(messageId, dueAt);
    },
    lowWater(handled) {
      let low: bigint | null = null;
      for (const { position } of pending.values()) if (low === null || position < low) low = position;
      return low === null ? handled : low - 1n;
    },
    get size() {
      return pending.size;
    },
    stop() {
      stopped = true;
      for (const entry of pending.values()) if (entry.timer) clearTimeout(entry.timer);
      queue.length = 0;
    },
  };
}
