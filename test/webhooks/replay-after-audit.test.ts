import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { acceptTask } from "../../src/actors/accept-task.ts";
import { taskStreamId, type AuditEvent } from "../../src/contracts/task-events.ts";
import { openEventStore } from "../../src/infra/event-store/open-event-store.ts";
import type { SqlEventStore } from "../../src/infra/event-store/sql-event-store.ts";
import type { EventStore } from "../../src/ports/event-store.port.ts";
import { loadProcessorRegistry } from "../../src/processors/registry.ts";
import { sampleTask } from "../helpers/task-events.ts";
import { appendScenario } from "../projections/task-scenarios.ts";

let store: SqlEventStore;
before(async () => {
  store = await openEventStore("memory://", { pollIntervalMs: 50 });
});
after(() => store.close());

/** The store as the webhook projection races it: the first append to `streamId` finds an audit event
 * appended just before it (after the caller read the stream). */
function auditLandsFirst(inner: EventStore, streamId: string, audit: AuditEvent): EventStore {
  let raced = false;
  return {
    ...inner,
    append: async (id, events, options) => {
      if (id === streamId && !raced) {
        raced = true;
        await inner.append(id, [{ id: randomUUID(), type: audit.type, data: audit, metadata: { correlation_id: audit.task_id, causation_id: audit.message_id } }], { expectedRevision: "any" });
      }
      return inner.append(id, events, options);
    },
  };
}

test("a DLQ replay that loses its append to a webhook audit event still reopens the task (not dropped as a duplicate)", async () => {
  const task = sampleTask({ webhook: { callback_queue: "vision-s3d.results", url: "https://app.example.com/hook" } });
  const { outcomeIds } = await appendScenario(store, "failed-final", task);
  const audit: AuditEvent = {
    type: "WebhookDeliveryAttempted",
    task_id: task.task_id,
    attempt: 1,
    at: new Date().toISOString(),
    message_id: outcomeIds[0]!,
    delivery_attempt: 1,
    url: "https://app.example.com/hook",
    status: 503,
    duration_ms: 5,
    delivered: false,
    next_attempt_at: new Date(Date.now() + 60_000).toISOString(),
  };
  const rt = { store: auditLandsFirst(store, taskStreamId(task.task_id), audit), registry: await loadProcessorRegistry(), tenantPrefix: undefined };
  const { outcome, stream } = await acceptTask(rt, { ...task, retry: { attempt: 2, max_attempts: 3 } });
  assert.equal(outcome, "replay");
  assert.equal(stream.state === "failed", false, `the task is open again (${stream.state})`);
  const types = (await store.readStream(taskStreamId(task.task_id))).map((e) => e.type).slice(-2);
  assert.deepEqual(types, ["WebhookDeliveryAttempted", "AttemptStarted"]);
});
