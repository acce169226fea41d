import { createHash } from "node:crypto";
import type { Channel, ConsumeMessage } from "amqplib";
import type { TaskHost } from "../actors/task-host.ts";
import type { RetryScheduler } from "../ports/retry-scheduler.port.ts";
import type { TaskRead } from "../actors/read-task.ts";
import { retryDue } from "../machines/when-a-stage-fails.ts";
import type { AmqpLink } from "../infra/amqp/amqp-link.ts";
import { publishDeadLetter } from "../infra/amqp/dead-letter.ts";
import type { Logger } from "../infra/logger.ts";
import type { ResultPublisher } from "../ports/result-publisher.port.ts";
import { TaskConflictError } from "../actors/accept-task.ts";
import { unsafeTextReason } from "../contracts/json-safety.ts";
import { decodeTask, invalidMessageResult } from "./decode-task.ts";
import { submitDecoded } from "./submit-task.ts";
import { logRefusedMessage } from "./refused-message-log.ts";
import { sleep } from "../shared/abortable-sleep.ts";

export interface DeliveryDeps {
  link: AmqpLink;
  host: TaskHost;
  results: ResultPublisher;
  retry: RetryScheduler;
  retryDelaysSeconds: readonly number[];
  logger: Logger;
  /** Aborts when the service stops: a delivery still waiting is requeued, not acked. */
  stopping: AbortSignal;
  /** How long past a retry's due time to wait for its message before re-publishing it. */
  retryGraceMs: number;
}

/** One delivery from a task queue, acked late (DESIGN.md §3): only once the task has settled, its
 * retry message was confirmed, or it went to the DLQ. A stop requeues it; a lost race for the
 * stream acks this copy (the new owner holds its own delivery, or the task has settled). */
export async function handleDelivery(d: DeliveryDeps, ch: Channel, msg: ConsumeMessage): Promise<void> {
  const decoded = decodeTask(msg.content);
  if (decoded.kind === "invalid") {
    const log = d.logger.child({ task_id: decoded.salvage?.task_id, routing_key: msg.fields.routingKey });
    // The routing key is the task type it was sent as; the attempt is not readable from a bad body.
    logRefusedMessage(log, {
      task_id: decoded.salvage?.task_id,
      task_type: msg.fields.routingKey,
      tenant_id: decoded.salvage?.tenant_id,
      code: "INVALID_MESSAGE",
      reason: `${decoded.reason}: dead-lettered`,
      intake: "amqp",
    });
    if (decoded.salvage) {
      const messageId = `invalid-${createHash("sha256").update(msg.content).digest("hex").slice(0, 32)}`;
      await d.results.publish(decoded.salvage.callback_queue, invalidMessageResult(decoded.salvage, decoded.reason, new Date()), messageId);
    }
    await publishDeadLetter(d.link, msg, { code: "INVALID_MESSAGE", reason: decoded.reason, taskId: decoded.salvage?.task_id });
    return ack(ch, msg, log);
  }

  const task = decoded.task;
  const log = d.logger.child({ task_id: task.task_id, attempt: task.retry.attempt });
  let submitted: Awaited<ReturnType<typeof submitDecoded>>;
  try {
    submitted = await submitDecoded(d.host, decoded, causationOf(msg));
  } catch (error) {
    if (!(error instanceof TaskConflictError)) throw error;
    // No result: it would be read as the outcome of the task that owns this task_id.
    logRefusedMessage(log, {
      task_id: task.task_id,
      task_type: task.task_type,
      tenant_id: task.tenant_id,
      attempt: task.retry.attempt,
      code: error.code,
      reason: `${error.message}: dead-lettered`,
      intake: "amqp",
    });
    await publishDeadLetter(d.link, msg, { code: "INVALID_MESSAGE", reason: error.message, taskId: task.task_id });
    return ack(ch, msg, log);
  }
  const { outcome, state, done } = submitted;
  log.info({ outcome, state, redelivered: msg.fields.redelivered, exchange: msg.fields.exchange, queue_path: deathPath(msg) }, "task message accepted");
  const result = await done;

  switch (result) {
    case "interrupted":
      return nack(ch, msg, log);
    case "lost_ownership":
      // Another owner appended first: it holds its own delivery (a redelivery), or it settled the
      // task (a cancel recorded by another node). This copy is redundant either way; left unacked it
      // would hold a prefetch slot until consumer_timeout closes the channel.
      log.warn("another owner took this task over: acking this copy");
      return ack(ch, msg, log);
    case "retrying":
      // This delivery failed and scheduled the retry (confirmed) — or it is a copy of an attempt that
      // already had; then the retry message may have died with the node that scheduled it.
      if (outcome === "duplicate" && state === "retrying" && !(await rearmIfMissing(d, submitted.task(), log))) return nack(ch, msg, log);
      return ack(ch, msg, log);
    case "dead_lettered": {
      // As the run left it: no second read of the stream.
      const ctx = submitted.task().context;
      await publishDeadLetter(d.link, msg, { code: ctx.error?.code ?? "INTERNAL", reason: ctx.reason ?? "dead-lettered", taskId: task.task_id });
      return ack(ch, msg, log);
    }
    case "completed":
    case "failed":
    case "cancelled":
      return ack(ch, msg, log);
    case "new":
    case "queued":
    case "downloading":
    case "waiting_for_slot":
    case "processing":
    case "uploading":
      log.warn({ state: result }, "task stopped in an unexpected state: requeued");
      return nack(ch, msg, log);
  }
}

/** The delivery's message id, recorded as the causation of the accept; only when it can be stored. */
function causationOf(msg: ConsumeMessage): string | undefined {
  const id = msg.properties.messageId === undefined || msg.properties.messageId === null ? "" : String(msg.properties.messageId);
  return id.length > 0 && id.length <= 255 && unsafeTextReason(id) === null ? id : undefined;
}

/** Waits until the retry is overdue; if its message never turned up, publishes it again, due now
 * (it is overdue: not delayed by a full retry delay once more). False when the service stopped first
 * (the delivery is then requeued and the next node decides). */
async function rearmIfMissing(d: DeliveryDeps, first: TaskRead, log: Logger): Promise<boolean> {
  const { dueAtMs } = retryDue(first.context, d.retryDelaysSeconds, Date.now());
  const waited = await sleep(Math.max(0, dueAtMs - Date.now()) + d.retryGraceMs, d.stopping);
  if (!waited) return false;
  // Read again after the wait: the retry may have arrived, or another node may have moved the task.
  const now = await d.host.read(first.context.task!.task_id);
  const c = now?.context;
  if (now?.state !== "retrying" || c?.attempt !== first.context.attempt || !c.task) return true;
  const due = retryDue(c, d.retryDelaysSeconds, Date.now());
  log.warn({ next_attempt: due.nextAttempt }, "retry message overdue: publishing it again");
  await d.retry.schedule(c.task, due.nextAttempt, due.delaySeconds);
  return true;
}

/** Where a message has been: the queues it was dead-lettered from (retry queues), for the log. */
function deathPath(msg: ConsumeMessage): string | undefined {
  const deaths = msg.properties.headers?.["x-death"] as { queue?: string; count?: number }[] | undefined;
  return deaths?.map((d) => `${d.queue}×${d.count}`).join(",");
}

/** The channel may have died since the delivery (then the broker redelivers it anyway). */
function ack(ch: Channel, msg: ConsumeMessage, log: Logger): void {
  try {
    ch.ack(msg);
  } catch (error) {
    log.warn({ err: String(error) }, "ack failed: the channel closed, the broker will redeliver");
  }
}

function nack(ch: Channel, msg: ConsumeMessage, log: Logger): void {
  try {
    ch.nack(msg, false, true);
  } catch (error) {
    log.warn({ err: String(error) }, "nack failed: the channel closed, the broker will redeliver");
  }
}
