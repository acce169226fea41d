import type { Logger } from "../infra/logger.ts";
import type { EventStore, StoredEvent } from "../infra/ports/event-store.port.ts";
import type { ProgressBus } from "../infra/ports/progress-bus.port.ts";
import { progressChannel } from "../contracts/task-message.ts";
import { isSettled, stateOf, type TaskSnapshot } from "../machines/task-replay.ts";
import { progressMessageOf, shouldSendProgress, type ThrottleState } from "./pure/progress.projection.ts";
import { TaskFolds } from "./task-folds.ts";

export interface ProgressProjectionOptions {
  store: EventStore;
  bus: ProgressBus;
  logger: Logger;
  signal: AbortSignal;
  /** Start after this position (a stored checkpoint); default: the beginning. */
  after?: bigint;
  /** Events older than this are folded but not published (a restart does not replay old bars). */
  publishSince?: Date;
  /** Called after each event is handled, to store a checkpoint. */
  onHandled?: (position: bigint) => Promise<void>;
  minIntervalMs?: number;
}

/** Subscribes to task streams and publishes each task's progress, throttled per task (≤ 1 per 2 s;
 * stage changes and final states always). A subscriber, never a side effect of the task actor. */
export async function runProgressProjection(o: ProgressProjectionOptions): Promise<void> {
  const folds = new TaskFolds(o.store);
  const throttle = new Map<string, ThrottleState>();
  for await (const event of o.store.subscribeToAll({ streamPrefix: "task-", signal: o.signal, ...(o.after !== undefined ? { after: o.after } : {}) })) {
    try {
      const snapshot = await folds.apply(event);
      if (!o.publishSince || event.createdAt >= o.publishSince) await publish(o, snapshot, event, throttle);
      if (isSettled(snapshot)) {
        folds.forget(event.streamId);
        throttle.delete(event.streamId);
      }
      await o.onHandled?.(event.position);
    } catch (error) {
      o.logger.warn({ err: error, stream: event.streamId, position: event.position.toString() }, "progress projection skipped an event");
    }
  }
}

async function publish(o: ProgressProjectionOptions, snapshot: TaskSnapshot, event: StoredEvent, throttle: Map<string, ThrottleState>) {
  const message = progressMessageOf(stateOf(snapshot), snapshot.context, event.createdAt);
  const task = snapshot.context.task;
  if (!message || !task) return;
  const now = event.createdAt.getTime();
  if (!shouldSendProgress(throttle.get(event.streamId), message, now, o.minIntervalMs)) return;
  throttle.set(event.streamId, { lastSentAt: now, lastStage: message.progress.stage, lastStatus: message.status });
  await o.bus.publish(progressChannel(task), message);
}

