import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { taskStreamId, type AuditEvent } from "../../src/contracts/task-events.ts";
import type { ProgressMessage } from "../../src/contracts/progress-message.ts";
import { openEventStore } from "../../src/infra/event-store/index.ts";
import { silentLogger } from "../../src/infra/logger.ts";
import { runProgressProjection } from "../../src/projections/progress.projection.ts";
import { runResultsProjection } from "../../src/projections/results.projection.ts";
import { sampleTask } from "../helpers/task-events.ts";
import { appendScenario, recordingPublisher } from "../projections/task-scenarios.ts";

test("audit events after a task settled publish no progress and no result (they are not transitions)", { timeout: 30_000 }, async () => {
  const store = await openEventStore("memory://", { pollIntervalMs: 50 });
  try {
    const task = sampleTask({ webhook: { callback_queue: "vision-s3d.results", url: "https://app.example.com/hook" } });
    const { outcomeIds } = await appendScenario(store, "completed", task);
    const published: ProgressMessage[] = [];
    const results = recordingPublisher();
    const stop = new AbortController();
    const runs = [
      runProgressProjection({
        store,
        bus: {
          publish: (_c, m) => Promise.resolve(void published.push(m)),
          last: () => Promise.resolve(null),
          subscribe: () => Promise.resolve(() => Promise.resolve()),
          close: () => Promise.resolve(),
        },
        logger: silentLogger(),
        signal: stop.signal,
        minIntervalMs: 0,
      }),
      runResultsProjection({ store, checkpoints: store.checkpoints, results, logger: silentLogger(), signal: stop.signal, name: "projection:results:audit-test", checkpointEveryEvents: 1 }),
    ];
    await new Promise((r) => setTimeout(r, 800));
    const before = { progress: published.length, results: results.sent.length };
    assert.equal(published.at(-1)?.status, "completed");
    assert.equal(before.results, 1);
    for (const n of [1, 2, 3]) {
      const audit: AuditEvent = {
        type: "WebhookDeliveryAttempted",
        task_id: task.task_id,
        attempt: 1,
        at: new Date().toISOString(),
        message_id: outcomeIds[0]!,
        delivery_attempt: n,
        url: "https://app.example.com/hook",
        status: n === 3 ? 200 : 500,
        duration_ms: 4,
        delivered: n === 3,
      };
      await store.append(taskStreamId(task.task_id), [{ id: randomUUID(), type: audit.type, data: audit, metadata: { correlation_id: task.task_id, causation_id: outcomeIds[0]! } }], {
        expectedRevision: "any",
      });
    }
    await new Promise((r) => setTimeout(r, 800));
    stop.abort();
    await Promise.all(runs);
    assert.equal(published.length, before.progress, "no final state sent again");
    assert.equal(results.sent.length, before.results, "no result sent again");
  } finally {
    await store.close();
  }
});
