import type { Channel } from "amqplib";
import { QUEUE_CLASS, TASK_TYPES, type TaskType } from "../../contracts/task-types.ts";
import { DEFAULT_CALLBACK_QUEUE } from "../../contracts/task-message.ts";

/** Names fixed by the wire contract (DESIGN.md §3): Laravel declares against the same ones. */
export const TASKS_EXCHANGE = "vision.s3d.tasks";
export const RESULTS_EXCHANGE = "vision.s3d.results";
/** Where the class queues dead-letter to, and where the service publishes dead letters itself. */
export const DLX_EXCHANGE = "vision.s3d.dlx";
/** Headers exchange in front of the retry queues: a retry keeps its task type as routing key, so
 * when its TTL expires it dead-letters back to the tasks exchange under the same key. */
export const RETRY_EXCHANGE = "vision.s3d.retry";
/** Alternate exchange of the tasks exchange: catches routing keys no class queue binds (unknown
 * task types) so that they are validated and dead-lettered instead of silently dropped. */
export const UNROUTED_EXCHANGE = "vision.s3d.tasks.unrouted";
export const UNROUTED_QUEUE = "tasks.unrouted";
export const DLQ = "tasks.dlq";
export const RESULT_QUEUE = DEFAULT_CALLBACK_QUEUE;
export const MAX_PRIORITY = 10;
export const DLQ_TTL_MS = 7 * 24 * 3600 * 1000;
/** Header naming the retry queue a retry message is meant for. Not `x-`-prefixed on purpose: a
 * headers exchange ignores x- headers when matching, so such a binding would match every queue. */
export const RETRY_DELAY_HEADER = "vs3d-retry-queue";

export type QueueClass = (typeof QUEUE_CLASS)[TaskType];

export const classQueue = (c: QueueClass): string => `tasks.${c}`;
export const queueForType = (t: TaskType): string => classQueue(QUEUE_CLASS[t]);
export const retryQueue = (delaySeconds: number): string => `tasks.retry.${delaySeconds}s`;

/** The queues the intake consumes: the three classes, then the catch-all for unknown types. */
export function intakeQueues(): string[] {
  return [...new Set(TASK_TYPES.map(queueForType)), UNROUTED_QUEUE];
}

/** The retry queue for a delay: the declared one closest to it (the runner only asks for
 * configured delays, so this is exact in practice). */
export function retryQueueFor(delaySeconds: number, declared: readonly number[]): string {
  if (declared.length === 0) throw new Error("no retry delays configured");
  const best = declared.reduce((a, b) => (Math.abs(b - delaySeconds) < Math.abs(a - delaySeconds) ? b : a));
  return retryQueue(best);
}

export interface TopologyOptions {
  /** RETRY_DELAYS_SECONDS: one TTL queue per distinct delay. */
  retryDelaysSeconds: readonly number[];
}

/** Declares everything idempotently; run on every (re)connected channel. Arguments never change
 * between versions: RabbitMQ refuses a redeclaration with different arguments. */
export async function assertTopology(ch: Channel, options: TopologyOptions): Promise<void> {
  await ch.assertExchange(UNROUTED_EXCHANGE, "fanout", { durable: true });
  await ch.assertExchange(TASKS_EXCHANGE, "topic", { durable: true, alternateExchange: UNROUTED_EXCHANGE });
  await ch.assertExchange(DLX_EXCHANGE, "fanout", { durable: true });
  await ch.assertExchange(RETRY_EXCHANGE, "headers", { durable: true });
  await ch.assertExchange(RESULTS_EXCHANGE, "direct", { durable: true });

  await ch.assertQueue(DLQ, { durable: true, arguments: { "x-message-ttl": DLQ_TTL_MS } });
  await ch.bindQueue(DLQ, DLX_EXCHANGE, "");

  const classArgs = { "x-max-priority": MAX_PRIORITY, "x-dead-letter-exchange": DLX_EXCHANGE };
  for (const type of TASK_TYPES) {
    await ch.assertQueue(queueForType(type), { durable: true, arguments: classArgs });
    await ch.bindQueue(queueForType(type), TASKS_EXCHANGE, type);
  }
  await ch.assertQueue(UNROUTED_QUEUE, { durable: true, arguments: classArgs });
  await ch.bindQueue(UNROUTED_QUEUE, UNROUTED_EXCHANGE, "");

  for (const delay of new Set(options.retryDelaysSeconds)) {
    const name = retryQueue(delay);
    await ch.assertQueue(name, {
      durable: true,
      // No x-dead-letter-routing-key: the message keeps its task type as key. No priority either: a
      // priority queue expires only the head of each level, so FIFO by expiry is what a delay needs.
      arguments: { "x-message-ttl": delay * 1000, "x-dead-letter-exchange": TASKS_EXCHANGE },
    });
    await ch.bindQueue(name, RETRY_EXCHANGE, "", { "x-match": "all", [RETRY_DELAY_HEADER]: name });
  }

  await ch.assertQueue(RESULT_QUEUE, { durable: true });
  await ch.bindQueue(RESULT_QUEUE, RESULTS_EXCHANGE, RESULT_QUEUE);
}
