import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeTask, invalidMessageResult } from "../../src/intake/decode-task.ts";
import { FailedResult } from "../../src/contracts/result-message.ts";
import { replayMessage, viewDeadLetter } from "../../src/infra/amqp/dlq-admin.ts";
import { intakeQueues, queueForType, retryQueueFor } from "../../src/infra/amqp/topology.ts";
import { sampleTask } from "../helpers/task-events.ts";

const bytes = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v));

test("a valid task message decodes with the contract's defaults applied", () => {
  const { retry: _r, webhook: _w, ...bare } = sampleTask();
  const d = decodeTask(bytes(bare));
  assert.equal(d.kind, "task");
  if (d.kind === "task") {
    assert.deepEqual(d.task.retry, { attempt: 1, max_attempts: 3 });
    assert.equal(d.task.webhook.callback_queue, "vision-s3d.results");
  }
});

test("invalid JSON and non-UTF-8 bodies are invalid with no task to answer to", () => {
  for (const body of [Buffer.from("{oops"), Buffer.from([0xff, 0xfe, 0x7b])]) {
    const d = decodeTask(body);
    assert.equal(d.kind, "invalid");
    if (d.kind === "invalid") {
      assert.match(d.reason, /not valid UTF-8 JSON/);
      assert.equal(d.salvage, null);
    }
  }
});

test("an unknown task type is INVALID_MESSAGE with the task's own callback queue and ids salvaged", () => {
  const task = { ...sampleTask(), task_type: "hologram_render", webhook: { callback_queue: "laravel.results" } };
  const d = decodeTask(bytes(task));
  assert.equal(d.kind, "invalid");
  if (d.kind !== "invalid") return;
  assert.match(d.reason, /task_type/);
  assert.deepEqual(d.salvage, { task_id: task.task_id, tenant_id: task.tenant_id, file_id: task.file_id, callback_queue: "laravel.results" });
  const result = invalidMessageResult(d.salvage, d.reason, new Date("2026-01-01T00:00:00Z"));
  assert.ok(FailedResult.safeParse(result).success, "the result honours the wire contract");
  assert.equal(result.error.code, "INVALID_MESSAGE");
  assert.equal(result.retry.will_retry, false);
});

test("a key that climbs out of its prefix is refused at the boundary", () => {
  const d = decodeTask(bytes({ ...sampleTask(), destination: { bucket: "b", base_key: "../x/" } }));
  assert.equal(d.kind, "invalid");
  if (d.kind === "invalid") assert.match(d.reason, /destination\.base_key/);
});

test("task types map to the class queues of DESIGN.md §3; retries pick the declared delay queue", () => {
  assert.equal(queueForType("point_cloud_lod"), "tasks.high_priority");
  assert.equal(queueForType("geotiff_cog"), "tasks.normal");
  assert.equal(queueForType("mesh_3d_convert"), "tasks.normal");
  assert.equal(queueForType("archive_extract"), "tasks.light");
  assert.deepEqual(intakeQueues(), ["tasks.high_priority", "tasks.normal", "tasks.light", "tasks.unrouted"]);
  assert.equal(retryQueueFor(60, [30, 60]), "tasks.retry.60s");
  assert.equal(retryQueueFor(30, [30, 60]), "tasks.retry.30s");
});

test("a DLQ replay is the next attempt, so acceptTask records a replay instead of a duplicate", () => {
  const task = sampleTask({ retry: { attempt: 3, max_attempts: 3 } });
  assert.deepEqual(replayMessage(task).retry, { attempt: 4, max_attempts: 4 });
  const view = viewDeadLetter({
    content: bytes(task),
    fields: { routingKey: "image_thumbnail" } as never,
    properties: { headers: { "x-vs3d-reason": "INTERNAL after 3 attempt(s)", "x-vs3d-error-code": "INTERNAL" } } as never,
  });
  assert.equal(view.task_id, task.task_id);
  assert.equal(view.code, "INTERNAL");
  assert.equal(view.attempt, 3);
  assert.equal(view.replayable, true);
  const junk = viewDeadLetter({ content: Buffer.from("{"), fields: { routingKey: "x" } as never, properties: { headers: { "x-death": [{ reason: "rejected", queue: "tasks.light" }] } } as never });
  assert.equal(junk.replayable, false);
  assert.match(junk.reason ?? "", /rejected from tasks.light/);
});
