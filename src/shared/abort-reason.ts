/** Why `signal` aborted, as an Error to reject with: the reason itself when it is one (the default
 * reason, a DOMException "AbortError", is), else an Error carrying it as its cause, so a caller's
 * `catch` always gets a message and a stack. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(`aborted: ${String(reason)}`, { cause: reason });
}
