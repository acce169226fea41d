import { ResultMessage } from "../../contracts/result-message.ts";
import type { ResultPublisher } from "../ports/result-publisher.port.ts";
import type { AmqpLink } from "./amqp-link.ts";
import { RESULTS_EXCHANGE } from "./topology.ts";

/** Results over AMQP (DESIGN.md §2): exchange `vision.s3d.results` (direct), routed to the task's
 * callback queue by its name, persistent, confirmed. A callback queue is declared and bound the
 * first time it is used, so a result is never published to a key nothing is bound to. */
export function createAmqpResultPublisher(link: AmqpLink): ResultPublisher {
  const bound = new Set<string>();

  async function ensureBound(queue: string): Promise<void> {
    if (bound.has(queue)) return;
    // The platform may have declared the queue with its own arguments; then our plain declaration
    // is refused (406) on a throwaway channel and the existing queue is simply bound.
    await link.withChannel((ch) => ch.assertQueue(queue, { durable: true })).catch(() => undefined);
    await link.withChannel((ch) => ch.bindQueue(queue, RESULTS_EXCHANGE, queue));
    bound.add(queue);
  }

  return {
    async publish(queue, message, messageId) {
      const body = ResultMessage.parse(message);
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
  };
}
