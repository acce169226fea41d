import { test } from "node:test";
import assert from "node:assert/strict";
import { startHarness, taskMessage } from "../helpers/embedded-http-harness.ts";

interface Listed {
  type: string;
  created_at: string;
  data: { at: string; stage?: string; done?: number; total?: number };
}

test("the hot path's facts that always come together are one append each: download done + slot asked, slot granted + first stage started, last stage done + upload done + task done; a fast stage appends no progress of its own", async () => {
  const h = await startHarness();
  try {
    const message = taskMessage({ params: { stages: 2, stage_ms: 100 } });
    assert.equal((await h.post(message)).status, 202);
    assert.equal((await h.waitSettled(message.task_id as string)).state, "completed");
    const { events } = (await (await h.app.request(`/tasks/${message.task_id as string}/events`)).json()) as { events: Listed[] };
    // One append is one transaction, and the store stamps its rows with the transaction's time.
    const appends: string[][] = [];
    let last: string | undefined;
    for (const e of events) {
      if (e.created_at !== last) appends.push([]);
      appends[appends.length - 1]!.push(e.type);
      last = e.created_at;
    }
    const withType = (type: string) => appends.find((a) => a.includes(type));
    assert.deepEqual(withType("DownloadCompleted"), ["DownloadCompleted", "SlotRequested"]);
    assert.deepEqual(withType("SlotGranted"), ["SlotGranted", "StageStarted"]);
    assert.deepEqual(appends[appends.length - 1], ["StageCompleted", "UploadCompleted", "TaskCompleted"]);
    assert.equal(events.filter((e) => e.type === "SlotRequested").length, 1, "the slot request is recorded once");
    assert.equal(events.filter((e) => e.type === "StageStarted").length, 2, "each stage is started once");
    // StageStarted is each stage's first progress mark, and its StageCompleted its last: within the
    // throttle interval the reports between are not appended, and a final report that the next
    // stage or the stage's own StageCompleted overtakes is dropped.
    assert.deepEqual(
      events.filter((e) => e.type === "ProgressReported"),
      [],
    );
    // Each fact keeps the time it happened: the first stage starts when its worker is ready, after the grant.
    const at = (type: string) => Date.parse(events.find((e) => e.type === type)!.data.at);
    assert.ok(at("SlotGranted") <= at("StageStarted"));
    assert.equal(appends.length, 7, `appends: ${JSON.stringify(appends)}`);
  } finally {
    await h.close();
  }
});

test("a stage whose outputs take long to upload still shows 100 % while they do: its final progress report is appended after its delay", async () => {
  const h = await startHarness({
    // The real local storage behind a slow link: each upload takes 2.5 s.
    storage: (real) => ({
      ...real,
      upload: async (...args: Parameters<typeof real.upload>) => {
        await new Promise((r) => setTimeout(r, 2500));
        return real.upload(...args);
      },
    }),
  });
  try {
    const message = taskMessage({ params: { stages: 1, stage_ms: 100 } });
    assert.equal((await h.post(message)).status, 202);
    assert.equal((await h.waitSettled(message.task_id as string)).state, "completed");
    const { events } = (await (await h.app.request(`/tasks/${message.task_id as string}/events`)).json()) as { events: Listed[] };
    const types = events.map((e) => e.type);
    const progress = events.filter((e) => e.type === "ProgressReported");
    assert.deepEqual(
      progress.map((e) => [e.data.stage, e.data.done, e.data.total]),
      [["step_1", 5, 5]],
    );
    assert.ok(types.indexOf("ProgressReported") < types.indexOf("StageCompleted"), types.join(", "));
  } finally {
    await h.close();
  }
});
