import type { ChannelModel, ConfirmChannel, GetMessage } from "amqplib";
import { TaskMessage } from "../../contracts/task-message.ts";
import { textOf } from "../../shared/text-of.ts";
import { DLQ_HEADERS } from "./dead-letter.ts";
import { taskPublishOptions } from "./task-publish.ts";
import { DLQ, TASKS_EXCHANGE } from "./topology.ts";

export interface DeadLetterView {
  task_id: string | null;
  task_type: string | null;
  attempt: number | null;
  code: string | null;
  reason: string | null;
  routing_key: string;
  dead_lettered_at: string | null;
  /** Set when the body is a valid task message, i.e. when it can be replayed. */
  replayable: boolean;
}

/** Reads a dead letter without touching it: the reason headers we write, or RabbitMQ's own x-death
 * for a message the broker dead-lettered itself. */
export function viewDeadLetter(m: Pick<GetMessage, "content" | "fields" | "properties">): DeadLetterView {
  const h = (m.properties.headers ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (v === undefined || v === null ? null : Buffer.isBuffer(v) ? v.toString() : textOf(v));
  const task = parseTask(m.content);
  const death = Array.isArray(h["x-death"]) ? (h["x-death"][0] as Record<string, unknown> | undefined) : undefined;
  return {
    task_id: task?.task_id ?? str(h[DLQ_HEADERS.taskId]),
    task_type: task?.task_type ?? null,
    attempt: task?.retry.attempt ?? null,
    code: str(h[DLQ_HEADERS.code]),
    reason: str(h[DLQ_HEADERS.reason]) ?? (death ? `broker dead-lettered it: ${str(death.reason)} from ${str(death.queue)}` : null),
    routing_key: str(h[DLQ_HEADERS.routingKey]) ?? m.fields.routingKey,
    dead_lettered_at: str(h[DLQ_HEADERS.at]),
    replayable: task !== null,
  };
}

function parseTask(content: Buffer): TaskMessage | null {
  try {
    const parsed = TaskMessage.safeParse(JSON.parse(content.toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The message a replay publishes: the next attempt, so the task's stream records a replay
 * (AttemptStarted) instead of dropping it as a duplicate; one more attempt is allowed. */
export function replayMessage(task: TaskMessage): TaskMessage {
  const attempt = task.retry.attempt + 1;
  return { ...task, retry: { attempt, max_attempts: Math.min(20, Math.max(task.retry.max_attempts, attempt)) } };
}

/** Browses the DLQ: every get holds its message on this channel, so the next get returns the next
 * one; closing the channel puts back every message that was not acked. Nothing is lost. */
async function browse<T>(conn: ChannelModel, limit: number, fn: (ch: ConfirmChannel, got: GetMessage[]) => Promise<T>): Promise<T> {
  const ch = await conn.createConfirmChannel();
  try {
    const got: GetMessage[] = [];
    while (got.length < limit) {
      const m = await ch.get(DLQ, { noAck: false });
      if (m === false) break;
      got.push(m);
    }
    return await fn(ch, got);
  } finally {
    await ch.close().catch(() => {});
  }
}

export async function listDeadLetters(conn: ChannelModel, limit = 1000): Promise<DeadLetterView[]> {
  return browse(conn, limit, (_ch, got) => Promise.resolve(got.map(viewDeadLetter)));
}

/** Republishes matching, valid dead letters to `vision.s3d.tasks` and removes each from the DLQ
 * only after the broker confirmed its copy. Invalid ones stay where they are. */
export async function replayDeadLetters(conn: ChannelModel, match: (v: DeadLetterView) => boolean, limit = 10_000): Promise<{ replayed: DeadLetterView[]; skipped: DeadLetterView[] }> {
  return browse(conn, limit, async (ch, got) => {
    const replayed: DeadLetterView[] = [];
    const skipped: DeadLetterView[] = [];
    for (const m of got) {
      const view = viewDeadLetter(m);
      if (!match(view)) continue;
      const task = parseTask(m.content);
      if (!task) {
        skipped.push(view);
        continue;
      }
      const next = replayMessage(task);
      ch.publish(TASKS_EXCHANGE, next.task_type, Buffer.from(JSON.stringify(next)), {
        ...taskPublishOptions(next),
        headers: { ...taskPublishOptions(next).headers, "x-vs3d-replayed-from-dlq": new Date().toISOString() },
      });
      await ch.waitForConfirms();
      ch.ack(m);
      replayed.push(view);
    }
    return { replayed, skipped };
  });
}
