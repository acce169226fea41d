import type { Message } from "amqplib";
import type { ErrorCode } from "../../contracts/error-codes.ts";
import type { AmqpLink } from "./amqp-link.ts";
import { DLX_EXCHANGE } from "./topology.ts";

/** Headers a dead letter carries, for `vs3d dlq list` and for whoever reads the queue. */
export const DLQ_HEADERS = {
  reason: "x-vs3d-reason",
  code: "x-vs3d-error-code",
  taskId: "x-vs3d-task-id",
  routingKey: "x-vs3d-original-routing-key",
  exchange: "x-vs3d-original-exchange",
  at: "x-vs3d-dead-lettered-at",
} as const;

export interface DeadLetterReason {
  code: ErrorCode;
  reason: string;
  taskId?: string | undefined;
}

/** Copies a delivery into `tasks.dlq` with the reason in its headers, byte for byte, and resolves
 * once the broker confirmed it: only then may the original delivery be acked. */
export async function publishDeadLetter(link: AmqpLink, msg: Pick<Message, "content" | "fields" | "properties">, why: DeadLetterReason): Promise<void> {
  const p = msg.properties;
  const headers: Record<string, unknown> = {
    ...(p.headers ?? {}),
    [DLQ_HEADERS.reason]: why.reason.slice(0, 2000),
    [DLQ_HEADERS.code]: why.code,
    [DLQ_HEADERS.routingKey]: msg.fields.routingKey,
    [DLQ_HEADERS.exchange]: msg.fields.exchange,
    [DLQ_HEADERS.at]: new Date().toISOString(),
  };
  if (why.taskId !== undefined) headers[DLQ_HEADERS.taskId] = why.taskId;
  await link.publish(DLX_EXCHANGE, msg.fields.routingKey, msg.content, {
    persistent: true,
    headers,
    ...(typeof p.contentType === "string" && p.contentType ? { contentType: p.contentType } : {}),
    ...(p.messageId ? { messageId: String(p.messageId) } : {}),
    ...(typeof p.priority === "number" ? { priority: p.priority } : {}),
  });
}
