/** One active instance of each projection across nodes (DESIGN.md §1). Adapters: a PostgreSQL
 * session advisory lock on a dedicated connection (server), an in-process lock (PGlite). */
export interface Leadership {
  /**
   * Runs `fn` only while this node holds the lock `name`; waits (retrying) until it can take it.
   * When the lock is lost, `fn`'s signal aborts and, once `fn` settles, the wait starts again.
   * Resolves when `signal` aborts (after `fn` has settled and the lock is released) or when `fn`
   * returns; rejects with what `fn` threw, after releasing the lock so another node can take over.
   */
  run: (name: string, fn: (signal: AbortSignal) => Promise<void>, signal: AbortSignal) => Promise<void>;
}
