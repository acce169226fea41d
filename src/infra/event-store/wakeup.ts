/** Wakes live subscribers when an append commits (LISTEN/NOTIFY), with a poll as the fallback
 * for a lost notification connection. The version counter closes the race between "read found
 * nothing" and "start waiting": a notify in between bumps it and the wait returns at once. */
export interface Wakeup {
  readonly version: number;
  notify(): void;
  /** Resolves when a notify arrived since `sinceVersion`, after `timeoutMs`, or on abort. */
  wait(sinceVersion: number, timeoutMs: number, signal: AbortSignal): Promise<void>;
}

export function createWakeup(): Wakeup {
  let version = 0;
  const waiters = new Set<() => void>();
  return {
    get version() {
      return version;
    },
    notify() {
      version += 1;
      for (const wake of [...waiters]) wake();
    },
    wait(sinceVersion, timeoutMs, signal) {
      if (version !== sinceVersion || signal.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        signal.addEventListener("abort", done, { once: true });
        waiters.add(done);
      });
    },
  };
}
