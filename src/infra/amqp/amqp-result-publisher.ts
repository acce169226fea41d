import { ZodError } from "zod";
import { ResultMessage } from "../../contracts/result-message.ts";
import { isServiceCallbackQueue } from "../../contracts/task-message.ts";
import type { ResultPublisher } from "../../ports/result-publisher.port.ts";
import type { AmqpLink } from "./amqp-link.ts";
import { DLQ_HEADERS } from "./dead-letter.ts";
import { DLX_EXCHANGE, RESULTS_EXCHANGE } from "./topology.ts";
import { isBrokerRefusal, UndeliverableResultError } from "./undeliverable-result.error.ts";

/** Routing key and headers of a result parked in `tasks.dlq`. */
export const PARKED_RESULT_ROUTING_KEY = "results.parked";
export const PARKED_HEADERS = { by: "x-vs3d-parked-by", callbackQueue: "x-vs3d-callback-queue" } as const;

/** A result the results projection could not deliver, and why: parked in `tasks.dlq`. */
export interface ParkedResult {
  queue: string;
  message: unknown;
  messageId: string;
  reason: string;
  projection: string;
}

export interface AmqpResultPublisher extends ResultPublisher {
  /** Copies an undeliverable result into `tasks.dlq` with the reason in its headers (`vs3d dlq
   * list` shows it; it is not a task, so a replay leaves it there). Resolves once confirmed. */
  park(parked: ParkedResult): Promise<void>;
}

/** Results over AMQP (DESIGN.md §2): exchange `vision.s3d.results` (direct), routed to the task's
 * callback queue by its name, persistent, confirmed. A callback queue is declared and bound the
 * first time it is used, so a result is never published to a key nothing is bound to — and only a
 * queue in the service's namespace (`vision-s3d.*`) is ever bound: the intake refuses others, and
 * this check holds for streams written before that rule. A result that can never be delivered
 * throws UndeliverableResultError; anything else (the link is down) is worth retrying. */
export function createAmqpResultPublisher(link: AmqpLink): AmqpResultPublisher {
  const bound = new Set<string>();

  async function ensureBound(queue: string): Promise<void> {
    if (bound.has(queue)) return;
    if (!isServiceCallbackQueue(queue)) throw new UndeliverableResultError(queue, "it is outside the service's callback queue namespace (vision-s3d.*)");
    // The platform may have declared the queue with its own arguments; then our plain declaration
    // is refused (406) on a throwaway channel and the existing queue is simply bound.
    await link.withChannel((ch) => ch.assertQueue(queue, { durable: true })).catch(() => undefined);
    try {
      await link.withChannel((ch) => ch.bindQueue(queue, RESULTS_EXCHANGE, queue));
    } catch (error) {
      if (link.isConnected() && isBrokerRefusal(error)) throw new UndeliverableResultError(queue, `the broker refused to bind it: ${(error as Error).message}`, error);
      throw error;
    }
    bound.add(queue);
  }

  return {
    async publish(queue, message, messageId) {
      let body: ResultMessage;
      try {
        body = ResultMessage.parse(message);
      } catch (error) {
        if (error instanceof ZodError) throw new UndeliverableResultError(queue, `the result breaks its contract: ${error.message.slice(0, 500)}`, error);
        throw error;
      }
      await ensureBound(queue);
      await link.publish(RESULTS_EXCHANGE, queue, Buffer.from(JSON.stringify(body)), {
        messageId,
        contentType: "application/json",
        persistent: true,
        type: `task.${body.status}`,
        timestamp: Math.floor(Date.now() / 1000),
        headers: { "x-vs3d-task-id": body.task_id },
      });
    },

    async park(p) {
      const taskId = typeof p.message === "object" && p.message !== null ? (p.message as { task_id?: unknown }).task_id : undefined;
      // tasks.dlq is bound to a fanout exchange: the routing key only labels; the queue asked for
      // (which may be too long for a routing key) travels in a header.
      await link.publish(DLX_EXCHANGE, PARKED_RESULT_ROUTING_KEY, Buffer.from(JSON.stringify(p.message)), {
        persistent: true,
        contentType: "application/json",
        messageId: p.messageId,
        headers: {
          [DLQ_HEADERS.reason]: p.reason.slice(0, 2000),
          [DLQ_HEADERS.code]: "INVALID_MESSAGE",
          [DLQ_HEADERS.routingKey]: PARKED_RESULT_ROUTING_KEY,
          [DLQ_HEADERS.exchange]: RESULTS_EXCHANGE,
          [DLQ_HEADERS.at]: new Date().toISOString(),
          [PARKED_HEADERS.by]: p.projection,
          [PARKED_HEADERS.callbackQueue]: p.queue.slice(0, 1000),
          ...(typeof taskId === "string" ? { [DLQ_HEADERS.taskId]: taskId } : {}),
        },
      });
    },
  };
}
