import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { parseStored } from "../../src/actors/task-stream.ts";
import type { AuditEvent, TaskEvent } from "../../src/contracts/task-events.ts";
import { openEventStore } from "../../src/infra/event-store/open-event-store.ts";
import type { SqlEventStore } from "../../src/infra/event-store/sql-event-store.ts";
import { replayTask, stateOf } from "../../src/machines/task-replay.ts";
import { deliveryPlan } from "../../src/webhooks/delivery-plan.ts";
import { sampleTask } from "../helpers/task-events.ts";
import { appendScenario, type Scenario } from "../projections/task-scenarios.ts";

let store: SqlEventStore;
before(async () => {
  store = await openEventStore("memory://", { pollIntervalMs: 50 });
});
after(() => store.close());

type Row = { id: string; revision: number; event: TaskEvent };
const HOOK = "https://app.example.com/hooks/vs3d";

async function stream(scenario: Scenario, webhook: Record<string, unknown> = { url: HOOK }): Promise<{ rows: Row[]; outcomeIds: string[] }> {
  const task = sampleTask({ webhook: { callback_queue: "vision-s3d.results", ...webhook } });
  const { outcomeIds } = await appendScenario(store, scenario, task);
  const rows = (await store.readStream(`task-${task.task_id}`)).map((e) => ({ id: e.id, revision: e.revision, event: parseStored(e) }));
  return { rows, outcomeIds };
}

function audit(rows: Row[], messageId: string, n: number, o: { delivered: boolean; next?: string }): Row[] {
  const last = rows.at(-1)!;
  const e: AuditEvent = {
    type: "WebhookDeliveryAttempted",
    task_id: last.event.task_id,
    attempt: last.event.attempt,
    at: new Date().toISOString(),
    message_id: messageId,
    delivery_attempt: n,
    url: HOOK,
    status: o.delivered ? 200 : 500,
    duration_ms: 3,
    delivered: o.delivered,
    ...(o.next ? { next_attempt_at: o.next } : {}),
  };
  return [...rows, { id: randomUUID(), revision: last.revision + 1, event: e }];
}

test("a completed task with a webhook.url: its first POST is due now, with the result it projects", async () => {
  const { rows, outcomeIds } = await stream("completed");
  const plan = deliveryPlan(rows, outcomeIds[0]!);
  assert.equal(plan.kind, "due");
  if (plan.kind !== "due") return;
  assert.equal(plan.deliveryAttempt, 1);
  assert.equal(plan.dueAt, null);
  assert.equal(plan.revision, rows.at(-1)!.revision);
  assert.equal(plan.job.url, HOOK);
  assert.equal(plan.job.event, "completed");
  assert.equal(plan.job.message.status, "completed");
  assert.equal(plan.job.messageId, outcomeIds[0]);
});

test("no url, a failure that will be retried, or an outcome the task did not ask for: no webhook", async () => {
  const plain = await stream("completed", {});
  assert.equal(deliveryPlan(plain.rows, plain.outcomeIds[0]!).kind, "none");
  const retried = await stream("retried-then-completed");
  assert.equal(deliveryPlan(retried.rows, retried.outcomeIds[0]!).kind, "none", "the will_retry failure is not webhooked");
  assert.equal(deliveryPlan(retried.rows, retried.outcomeIds[1]!).kind, "due", "the final completion is");
  const onlyFailures = await stream("completed", { url: HOOK, events: ["failed"] });
  assert.equal(deliveryPlan(onlyFailures.rows, onlyFailures.outcomeIds[0]!).kind, "none");
  const failed = await stream("failed-final", { url: HOOK, events: ["failed"] });
  const plan = deliveryPlan(failed.rows, failed.outcomeIds[0]!);
  assert.equal(plan.kind === "due" && plan.job.event, "failed");
  const cancelled = await stream("cancelled");
  const c = deliveryPlan(cancelled.rows, cancelled.outcomeIds[0]!);
  assert.equal(c.kind === "due" && c.job.event, "cancelled");
});

test("audit events say what is left: the next attempt and when, delivered, or given up", async () => {
  const { rows, outcomeIds } = await stream("completed");
  const id = outcomeIds[0]!;
  const next = new Date(Date.now() + 5000).toISOString();
  const once = audit(rows, id, 1, { delivered: false, next });
  const plan = deliveryPlan(once, id);
  assert.equal(plan.kind, "due");
  if (plan.kind === "due") {
    assert.equal(plan.deliveryAttempt, 2);
    assert.equal(plan.dueAt, Date.parse(next));
    assert.equal(plan.revision, once.at(-1)!.revision, "the append after it expects the audit event's revision");
  }
  assert.deepEqual(deliveryPlan(audit(once, id, 2, { delivered: true }), id), { kind: "finished", delivered: true });
  assert.deepEqual(deliveryPlan(audit(once, id, 2, { delivered: false }), id), { kind: "finished", delivered: false });
  // Another result's audit events do not count for this one.
  const other = deliveryPlan(audit(rows, randomUUID(), 1, { delivered: true }), id);
  assert.equal(other.kind === "due" && other.deliveryAttempt, 1);
});

test("a task reopened after its result (a DLQ replay) stops that result's delivery", async () => {
  const { rows, outcomeIds } = await stream("failed-final");
  const last = rows.at(-1)!;
  const reopened: Row[] = [
    ...rows,
    { id: randomUUID(), revision: last.revision + 1, event: { type: "AttemptStarted", task_id: last.event.task_id, attempt: 2, at: new Date().toISOString(), reason: "replay" } },
  ];
  assert.deepEqual(deliveryPlan(reopened, outcomeIds[0]!), { kind: "reopened" });
});

test("the machine fold passes audit events over: the state and context stay what the task left", async () => {
  const { rows, outcomeIds } = await stream("completed");
  const withAudit = audit(audit(rows, outcomeIds[0]!, 1, { delivered: false, next: new Date().toISOString() }), outcomeIds[0]!, 2, { delivered: true });
  const before = replayTask(rows.map((r) => r.event));
  const after = replayTask(withAudit.map((r) => r.event));
  assert.equal(stateOf(after), "completed");
  assert.deepEqual(after.context, before.context);
});
