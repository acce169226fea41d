/** Tracks a store's operations so that close() refuses new ones and waits for those under way
 * before it closes the connection under them. */
export function createOperationTracker() {
  const closing = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  return {
    /** Aborted once close() began: subscriptions end on it. */
    closed: closing.signal,
    track: <T>(run: () => Promise<T>): Promise<T> => {
      if (closing.signal.aborted) return Promise.reject(new Error("event store is closed"));
      const promise = run();
      inFlight.add(promise);
      const forget = () => inFlight.delete(promise);
      promise.then(forget, forget);
      return promise;
    },
    /** Refuses new operations from now on; false if closing had already begun. */
    begin(): boolean {
      if (closing.signal.aborted) return false;
      closing.abort();
      return true;
    },
    /** Resolves when every operation under way has settled. */
    async idle(): Promise<void> {
      await Promise.allSettled([...inFlight]);
    },
  };
}
