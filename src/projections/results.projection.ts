import { ZodError } from "zod";
import type { Logger } from "../infra/logger.ts";
import type { CheckpointStore } from "../ports/checkpoint-store.port.ts";
import type { EventStore, StoredEvent } from "../ports/event-store.port.ts";
import type { ResultPublisher } from "../ports/result-publisher.port.ts";
import type { ResultMessage } from "../contracts/result-message.ts";
import { isAuditEventType, TASK_STREAM_PREFIX } from "../contracts/task-events.ts";
import { isSettled } from "../machines/task-replay.ts";
import { createCheckpointWriter } from "./checkpoint-writer.ts";
import type { ProjectionHooks } from "./projection-stats.ts";
import { resultMessageOf } from "./pure/result.projection.ts";
import { describeError, isPoisonError, type ParkedEvent } from "./poison.ts";
import { TaskFolds } from "./task-folds.ts";

export interface ResultsProjectionOptions {
  store: EventStore;
  checkpoints: CheckpointStore;
  results: ResultPublisher;
  logger: Logger;
  /** Run only while this is not aborted (the leadership's signal). */
  signal: AbortSignal;
  /** Checkpoint name. Default: "projection:results". */
  name?: string;
  /** Save the checkpoint after this many events: also the most results re-sent after a crash.
   * Default: 50. */
  checkpointEveryEvents?: number;
  /** Default: 1000. */
  checkpointEveryMs?: number;
  hooks?: ProjectionHooks;
  /** Where a result that can never be delivered goes (AMQP mode: tasks.dlq). Without one it is
   * logged and counted only. A sink that fails ends the run, so the result is parked on restart. */
  park?: (parked: ParkedResultEvent) => Promise<void>;
}

/** A poison result: the event it projects, where it was meant to go, and why it cannot. */
export interface ParkedResultEvent extends ParkedEvent {
  queue: string;
  message: ResultMessage;
}

export const RESULTS_PROJECTION_DEFAULTS = { name: "projection:results", checkpointEveryEvents: 50, checkpointEveryMs: 1000 } as const;

/** Publishes one result per outcome event (DESIGN.md §2) to the task's callback queue, with the
 * event's id as message_id, reading task streams after the stored checkpoint. The checkpoint moves
 * only past confirmed publishes: a crash re-sends the unsaved tail under the same message ids, which
 * consumers drop, and never loses one. A publish failure ends the run (the supervisor restarts it),
 * unless the result can never be delivered: then it is parked (`park`) and the run goes on. */
export async function runResultsProjection(o: ResultsProjectionOptions): Promise<void> {
  const name = o.name ?? RESULTS_PROJECTION_DEFAULTS.name;
  const after = await o.checkpoints.load(name);
  const folds = new TaskFolds(o.store);
  const writer = createCheckpointWriter({
    checkpoints: o.checkpoints,
    name,
    everyEvents: o.checkpointEveryEvents ?? RESULTS_PROJECTION_DEFAULTS.checkpointEveryEvents,
    everyMs: o.checkpointEveryMs ?? RESULTS_PROJECTION_DEFAULTS.checkpointEveryMs,
    onError: (error) => o.logger.warn({ err: error, projection: name }, "checkpoint save failed; will retry"),
  });
  o.logger.info({ projection: name, after: after?.toString() ?? null }, "results projection starting");
  try {
    for await (const event of o.store.subscribeToAll({ streamPrefix: TASK_STREAM_PREFIX, signal: o.signal, ...(after === null ? {} : { after }) })) {
      const outcome = await outcomeOf(folds, event, o.logger);
      if (outcome) await publishOrPark(o, name, event, outcome);
      await writer.handled(event.position);
      o.hooks?.handled(event);
    }
  } finally {
    await writer.close().catch((error: unknown) => o.logger.warn({ err: error, projection: name }, "final checkpoint save failed"));
  }
}

/** Publishes the result; a poison one (it can never be delivered) is parked and counted, and the
 * projection moves on: one task's bad callback queue must not stop every tenant's results. */
async function publishOrPark(o: ResultsProjectionOptions, name: string, event: StoredEvent, outcome: { queue: string; message: ResultMessage }): Promise<void> {
  try {
    await o.results.publish(outcome.queue, outcome.message, event.id);
    o.hooks?.published();
    return;
  } catch (error) {
    if (!isPoisonError(error)) throw error;
    const parked: ParkedResultEvent = {
      projection: name,
      event: { id: event.id, streamId: event.streamId, position: event.position, type: event.type },
      reason: describeError(error),
      queue: outcome.queue,
      message: outcome.message,
    };
    await o.park?.(parked);
    o.hooks?.parked();
    o.logger.error(
      { projection: name, parked: "ProjectionParked", stream: event.streamId, event_id: event.id, position: event.position.toString(), task_id: outcome.message.task_id, reason: parked.reason },
      "result cannot be delivered: parked, the projection goes on",
    );
  }
}

/** The result an event projects to, or null. An event (or stream) that does not parse cannot become
 * a result: it is logged and passed over, so one bad row cannot stop every other task's results.
 * Any other error (the store is away) propagates: skipping then would lose a result. */
async function outcomeOf(folds: TaskFolds, event: StoredEvent, logger: Logger): Promise<{ queue: string; message: ResultMessage } | null> {
  if (isAuditEventType(event.type)) return null;
  let snapshot;
  let parsed;
  try {
    ({ event: parsed, snapshot } = await folds.fold(event));
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    logger.error({ err: error, stream: event.streamId, position: event.position.toString(), event_id: event.id }, "results projection cannot read an event; no result for it");
    return null;
  }
  if (isSettled(snapshot)) folds.forget(event.streamId);
  const message = resultMessageOf(parsed, snapshot.context);
  const task = snapshot.context.task;
  return message && task ? { queue: task.webhook.callback_queue, message } : null;
}
