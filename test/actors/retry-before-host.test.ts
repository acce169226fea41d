import { test } from "node:test";
import assert from "node:assert/strict";
import { createTimerRetryScheduler } from "../../src/actors/timer-retry-scheduler.ts";
import { TaskMessage } from "../../src/contracts/task-message.ts";
import { taskMessage } from "../helpers/embedded-env.ts";

// The service makes the retry scheduler before the host it resubmits through. It used to pass
// `task => host?.submit(task)`: a retry due while the host was still null resolved as "done" and was
// never run.
test("a retry that falls due before the host exists is resubmitted once the host is there", { timeout: 10_000 }, async () => {
  const scheduler = createTimerRetryScheduler();
  const task = TaskMessage.parse(taskMessage({ retry: { attempt: 1, max_attempts: 3 } }));
  await scheduler.schedule(task, 2, 0.02);
  await new Promise((r) => setTimeout(r, 150));
  const resubmitted: TaskMessage[] = [];
  scheduler.deliverTo((t) => {
    resubmitted.push(t);
    return Promise.resolve();
  });
  await new Promise((r) => setTimeout(r, 50));
  scheduler.cancelAll();
  assert.deepEqual(
    resubmitted.map((t) => [t.task_id, t.retry.attempt]),
    [[task.task_id, 2]],
  );
});
