/** The broker's sense of time, injected so tests drive it with a simulated clock and no real timers. */
export interface BrokerClock {
  now(): number;
  /** Calls `fn` every `ms` until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

export const systemClock: BrokerClock = {
  now: () => Date.now(),
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    // The broker's tick alone must not keep a finished process alive.
    timer.unref();
    return () => clearInterval(timer);
  },
};

export interface ManualClock extends BrokerClock {
  /** Moves time forward, firing every due callback in time order. */
  advance(ms: number): void;
}

/** A simulated clock: time moves only when `advance` is called. */
export function createManualClock(start = 0): ManualClock {
  let now = start;
  const timers = new Set<{ next: number; ms: number; fn: () => void }>();
  return {
    now: () => now,
    every(ms, fn) {
      const timer = { next: now + ms, ms, fn };
      timers.add(timer);
      return () => void timers.delete(timer);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers].filter((t) => t.next <= end).sort((a, b) => a.next - b.next)[0];
        if (!due) break;
        now = due.next;
        due.next += due.ms;
        due.fn();
      }
      now = end;
    },
  };
}
