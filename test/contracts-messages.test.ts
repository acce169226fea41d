import { test } from "node:test";
import assert from "node:assert/strict";
import { TaskMessage } from "../src/contracts/task-message.ts";

const valid = {
  task_id: "7d0f3c1e-2b4a-4f7e-9a51-0c2d8e6f1a23",
  tenant_id: "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9",
  file_id: "0a1b2c3d-4e5f-4607-8819-2a3b4c5d6e7f",
  task_type: "image_thumbnail",
  priority: 5,
  submitted_at: "2026-02-28T10:00:00Z",
  source: { bucket: "b", key: "tenants/abc/files/photo.jpg", size_bytes: 1000, format: "jpg" },
  destination: { bucket: "b", base_key: "tenants/abc/processed/photo/" },
  params: { sizes: [256] },
};

test("a task message as Laravel sends it parses, with defaults for webhook and retry", () => {
  const parsed = TaskMessage.parse(valid);
  assert.equal(parsed.webhook.callback_queue, "vision-s3d.results");
  assert.deepEqual(parsed.retry, { attempt: 1, max_attempts: 3 });
});

test("keys that climb out of their prefix are refused at the boundary", () => {
  for (const key of ["../x", "a/../../x", "/etc/passwd", "a\\..\\b", "a/./b"]) {
    const r = TaskMessage.safeParse({ ...valid, source: { ...valid.source, key } });
    assert.equal(r.success, false, key);
  }
});

test("an unknown task type is a schema error", () => {
  assert.equal(TaskMessage.safeParse({ ...valid, task_type: "teleport" }).success, false);
});
