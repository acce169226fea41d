import { parseStored } from "../actors/task-stream.ts";
import type { Logger } from "../infra/logger.ts";
import type { EventStore } from "../infra/ports/event-store.port.ts";
import type { ResultPublisher } from "../infra/ports/result-publisher.port.ts";
import { isSettled } from "../machines/task-replay.ts";
import { resultMessageOf } from "../projections/pure/result.projection.ts";
import { TaskFolds } from "../projections/task-folds.ts";

/** Stand-in for the checkpointed, single-leader results projection (src/projections): publishes
 * every outcome event's result with message_id = event id. Without a checkpoint it starts from the
 * beginning on each start, so results are re-sent after a restart — consumers drop them by
 * message_id, and none is lost. Replaced by startProjections once that lands. */
export async function runInterimResultsProjection(o: { store: EventStore; results: ResultPublisher; logger: Logger; signal: AbortSignal }): Promise<void> {
  const folds = new TaskFolds(o.store);
  for await (const stored of o.store.subscribeToAll({ streamPrefix: "task-", signal: o.signal })) {
    for (let tries = 0; ; tries++) {
      try {
        const snapshot = await folds.apply(stored);
        const result = resultMessageOf(parseStored(stored), snapshot.context);
        const task = snapshot.context.task;
        if (result && task) await o.results.publish(task.webhook.callback_queue, result, stored.id);
        if (isSettled(snapshot)) folds.forget(stored.streamId);
        break;
      } catch (error) {
        if (o.signal.aborted) return;
        // A result must not be skipped: wait for the broker and try the same event again.
        o.logger.warn({ err: error, stream: stored.streamId, tries }, "result publish failed; retrying");
        await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** tries)));
      }
    }
  }
}
