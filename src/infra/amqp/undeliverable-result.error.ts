/** A result that can never be delivered as asked: its callback queue is outside the service's
 * namespace, is one of the service's own queues, or the broker refuses to bind it (403/404/405/406,
 * a name it cannot encode). Retrying cannot help, so `poison` tells a projection to park the event
 * and move on, rather than restart from the same checkpoint forever. */
export class UndeliverableResultError extends Error {
  readonly poison = true;
  readonly queue: string;
  constructor(queue: string, reason: string, cause?: unknown) {
    super(`result to callback queue ${JSON.stringify(queue.length > 80 ? `${queue.slice(0, 80)}…` : queue)} cannot be delivered: ${reason}`, cause === undefined ? undefined : { cause });
    this.name = "UndeliverableResultError";
    this.queue = queue;
  }
}

/** AMQP reply codes that say "this will never work" (as opposed to a connection that broke). */
const REFUSALS = new Set([403, 404, 405, 406]);

/** True when a broker error refuses the operation itself: a soft channel error with a refusal code,
 * or amqplib failing to encode the frame (a name over 255 bytes). */
export function isBrokerRefusal(error: unknown): boolean {
  const e = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof e.code === "number" && REFUSALS.has(e.code)) return true;
  const message = typeof e.message === "string" ? e.message : "";
  return /ACCESS[-_]REFUSED|NOT[-_]FOUND|RESOURCE[-_]LOCKED|PRECONDITION[-_]FAILED|shortstr|too long|exceeds/i.test(message);
}
