import { ZodError } from "zod";
import type { Logger } from "../infra/logger.ts";
import type { CheckpointStore } from "../ports/checkpoint-store.port.ts";
import type { EventStore, StoredEvent } from "../ports/event-store.port.ts";
import type { ProgressBus } from "../ports/progress-bus.port.ts";
import { progressChannel } from "../contracts/task-message.ts";
import { isAuditEventType, TASK_STREAM_PREFIX } from "../contracts/task-events.ts";
import { isSettled, stateOf, type TaskSnapshot } from "../machines/task-replay.ts";
import { createCheckpointWriter, type CheckpointWriter } from "./checkpoint-writer.ts";
import type { ProjectionHooks } from "./projection-stats.ts";
import { progressMessageOf, shouldSendProgress, type ThrottleState } from "./pure/progress.projection.ts";
import type { LastProgressMemory } from "./last-progress-memory.ts";
import { describeError, isPoisonError } from "./poison.ts";
import { TaskFolds } from "./task-folds.ts";
import { LAST_PROGRESS_TTL_SECONDS } from "../infra/progress/progress-keys.ts";

export interface ProgressProjectionOptions {
  store: EventStore;
  bus: ProgressBus;
  logger: Logger;
  signal: AbortSignal;
  /** With a checkpoint store the projection starts after its stored checkpoint and saves it as it
   * goes; without one it starts at `after` (default: the beginning). */
  checkpoints?: CheckpointStore;
  /** Checkpoint name. Default: "projection:progress". */
  name?: string;
  after?: bigint;
  /** Events older than this are folded but not published (a restart does not replay old bars). */
  publishSince?: Date;
  /** Events older than this many ms when handled are folded but not published: progress is
   * ephemeral, a bar from minutes ago is noise. Default: no limit. */
  maxAgeMs?: number;
  /** Called after each event is handled. */
  onHandled?: (position: bigint) => Promise<void>;
  minIntervalMs?: number;
  hooks?: ProjectionHooks;
  now?: () => number;
  /** Remembers the last message sent per running task (to rewrite them after Redis lost them). */
  memory?: LastProgressMemory;
}

export const PROGRESS_PROJECTION_DEFAULTS = { name: "projection:progress" } as const;

/** Subscribes to task streams and publishes each task's progress, throttled per task (≤ 1 per 2 s;
 * stage changes and final states always). A subscriber, never a side effect of the task actor.
 * An event that does not parse is skipped with a warning; a bus failure ends the run so the
 * supervisor restarts it from the checkpoint (recent messages are then sent again). */
export async function runProgressProjection(o: ProgressProjectionOptions): Promise<void> {
  const name = o.name ?? PROGRESS_PROJECTION_DEFAULTS.name;
  const now = o.now ?? Date.now;
  const after = o.checkpoints ? ((await o.checkpoints.load(name)) ?? undefined) : o.after;
  const writer: CheckpointWriter | null = o.checkpoints
    ? createCheckpointWriter({ checkpoints: o.checkpoints, name, onError: (error) => o.logger.warn({ err: error, projection: name }, "checkpoint save failed; will retry") })
    : null;
  const folds = new TaskFolds(o.store);
  const throttle = new Map<string, ThrottleState>();
  try {
    for await (const event of o.store.subscribeToAll({ streamPrefix: TASK_STREAM_PREFIX, signal: o.signal, ...(after !== undefined ? { after } : {}) })) {
      // Audit events (webhook deliveries) come after a task settled: no progress of their own.
      const snapshot = isAuditEventType(event.type) ? null : await fold(folds, event, o.logger);
      if (snapshot) {
        const age = now() - event.createdAt.getTime();
        const fresh = (!o.publishSince || event.createdAt >= o.publishSince) && (o.maxAgeMs === undefined || age <= o.maxAgeMs);
        // A final state is always sent while anyone could still be waiting for it (the life of
        // last_progress), even when the projection runs behind; older bars are history.
        const finalAndRecent = isSettled(snapshot) && age <= LAST_PROGRESS_TTL_SECONDS * 1000;
        if (fresh || finalAndRecent) await publishOrSkip(o, name, snapshot, event, throttle);
        if (isSettled(snapshot)) {
          folds.forget(event.streamId);
          throttle.delete(event.streamId);
          o.memory?.forget(event.streamId);
        }
      }
      await writer?.handled(event.position);
      await o.onHandled?.(event.position);
      o.hooks?.handled(event);
    }
  } finally {
    await writer?.close().catch((error: unknown) => o.logger.warn({ err: error, projection: name }, "final checkpoint save failed"));
  }
}

async function fold(folds: TaskFolds, event: StoredEvent, logger: Logger): Promise<TaskSnapshot | null> {
  try {
    return await folds.apply(event);
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    logger.warn({ err: error, stream: event.streamId, position: event.position.toString() }, "progress projection skipped an event it cannot read");
    return null;
  }
}

/** A progress message that can never be published (it breaks its contract) is skipped, logged as
 * ProjectionParked and counted: one task's bad message must not stop every task's progress. */
async function publishOrSkip(o: ProgressProjectionOptions, name: string, snapshot: TaskSnapshot, event: StoredEvent, throttle: Map<string, ThrottleState>) {
  try {
    await publish(o, snapshot, event, throttle);
  } catch (error) {
    if (!isPoisonError(error)) throw error;
    o.hooks?.parked();
    o.logger.error(
      { projection: name, parked: "ProjectionParked", stream: event.streamId, event_id: event.id, position: event.position.toString(), reason: describeError(error) },
      "progress cannot be published: skipped, the projection goes on",
    );
  }
}

async function publish(o: ProgressProjectionOptions, snapshot: TaskSnapshot, event: StoredEvent, throttle: Map<string, ThrottleState>) {
  const message = progressMessageOf(stateOf(snapshot), snapshot.context, event.createdAt);
  const task = snapshot.context.task;
  if (!message || !task) return;
  const at = event.createdAt.getTime();
  if (!shouldSendProgress(throttle.get(event.streamId), message, at, o.minIntervalMs)) return;
  await o.bus.publish(progressChannel(task), message);
  if (!isSettled(snapshot)) o.memory?.remember(event.streamId, progressChannel(task), message);
  throttle.set(event.streamId, { lastSentAt: at, lastStage: message.progress.stage, lastStatus: message.status });
  o.hooks?.published();
}
