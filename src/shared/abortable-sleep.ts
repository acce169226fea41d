import { setTimeout as wait } from "node:timers/promises";

/** Waits `ms`, or less when `signal` aborts first: true when the whole time passed, false when it
 * was cut short. It never rejects on abort, so a loop that stops on its signal just checks the result
 * (or the signal) instead of catching an AbortError. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await wait(ms, undefined, signal ? { signal } : {});
    return true;
  } catch (error) {
    if (signal?.aborted) return false;
    throw error;
  }
}
