/** Runs `work` now and hands its outcome back as a promise, a throw as a rejection, just as an
 * `async` function would: for a port's in-memory adapter that has nothing to await but must fail
 * the way its networked twin does (callers may `.catch` rather than `try`). */
export function asPromise<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
