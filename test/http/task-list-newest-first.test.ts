import { test } from "node:test";
import assert from "node:assert/strict";
import { startHarness, taskMessage } from "../helpers/embedded-http-harness.ts";

test("GET /tasks lists the most recent tasks (the dashboard's default view)", { timeout: 60_000 }, async () => {
  const h = await startHarness();
  try {
    // Params the thumbnail processor refuses: each task is recorded as failed at once, nothing runs.
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const msg = taskMessage({ task_type: "image_thumbnail", params: { sizes: "not sizes" } });
      assert.equal((await h.post(msg)).status, 422);
      ids.push(msg.task_id as string);
    }
    // Refused tasks are hidden by default (they must not push real tasks off the page); asked for, they list.
    assert.deepEqual(((await (await h.app.request("/tasks")).json()) as { tasks: unknown[] }).tasks, []);
    const listed = ((await (await h.app.request("/tasks?rejected=include")).json()) as { tasks: { task_id: string }[] }).tasks.map((t) => t.task_id);
    assert.equal(listed.length, 50);
    assert.equal(listed[0], ids.at(-1), "the newest task comes first");
    assert.deepEqual(new Set(listed), new Set(ids.slice(-50)), "the 50 newest tasks are listed");
  } finally {
    await h.close();
  }
});
