import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { after, before, test } from "node:test";
import { TaskStream } from "../../src/actors/task-stream.ts";
import type { WebhookSettings } from "../../src/config/webhook-settings.ts";
import type { AuditEvent } from "../../src/contracts/task-events.ts";
import { openEventStore } from "../../src/infra/event-store/open-event-store.ts";
import type { SqlEventStore } from "../../src/infra/event-store/sql-event-store.ts";
import { silentLogger } from "../../src/infra/logger.ts";
import { runWebhookProjection } from "../../src/webhooks/webhook.projection.ts";
import { webhookSignature } from "../../src/webhooks/webhook-signature.ts";
import { sampleTask } from "../helpers/task-events.ts";
import { waitFor } from "../helpers/service-process.ts";
import { appendScenario, type Scenario } from "../projections/task-scenarios.ts";

const SECRET = "test-secret-0123456789";
const SETTINGS: WebhookSettings = {
  defaultSecret: SECRET,
  tenantSecrets: new Map(),
  allowedHosts: [],
  allowPrivate: true,
  timeoutMs: 2000,
  maxAttempts: 3,
  retryBaseMs: 300,
  retryMaxMs: 1000,
  maxBodyBytes: 1 << 20,
};

let store: SqlEventStore;
let cases = 0;
before(async () => {
  store = await openEventStore("memory://", { pollIntervalMs: 50 });
});
after(() => store.close());

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  path: string;
}

/** A real HTTP receiver; `answer(n)` is the status of the n-th request (1-based), or "hang". */
async function receiver(answer: (n: number) => number | "hang"): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      got.push({ headers: req.headers, body, path: req.url ?? "" });
      const a = answer(got.length);
      if (a === "hang") return;
      res.writeHead(a, a >= 300 && a < 400 ? { location: "/elsewhere" } : {}).end("ok");
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/vs3d`,
    got,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function project(settings: WebhookSettings = SETTINGS, name = `projection:webhooks:${++cases}`) {
  const stop = new AbortController();
  const done = runWebhookProjection({ store, checkpoints: store.checkpoints, settings, logger: silentLogger(), signal: stop.signal, name, random: () => 0.5 });
  return {
    name,
    stop: async () => {
      stop.abort();
      await done;
    },
  };
}

async function task(scenario: Scenario, url: string) {
  return appendScenario(store, scenario, sampleTask({ webhook: { callback_queue: "vision-s3d.results", url } }));
}
const audits = async (taskId: string): Promise<AuditEvent[]> => (await store.readStream(`task-${taskId}`)).filter((e) => e.type === "WebhookDeliveryAttempted").map((e) => e.data as AuditEvent);

test("a completed task's result is POSTed once, signed over timestamp.body, with its message_id as idempotency key; the attempt is in the task's stream", async () => {
  const r = await receiver(() => 200);
  const p = project();
  try {
    const { task: t, outcomeIds } = await task("completed", r.url);
    const [a] = await waitFor("the audit event", async () => ((await audits(t.task_id)).length ? audits(t.task_id) : null), 15_000);
    assert.equal(r.got.length, 1);
    const h = r.got[0]!.headers;
    assert.equal(h["x-vs3d-signature"], webhookSignature(SECRET, Number(h["x-vs3d-timestamp"]), r.got[0]!.body));
    assert.ok(Math.abs(Number(h["x-vs3d-timestamp"]) - Date.now() / 1000) < 30);
    assert.equal(h["idempotency-key"], outcomeIds[0]);
    assert.equal(h["x-vs3d-event"], "completed");
    const body = JSON.parse(r.got[0]!.body) as { task_id: string; status: string; outputs: unknown[] };
    assert.equal(body.task_id, t.task_id);
    assert.equal(body.status, "completed");
    assert.equal(a!.delivered, true);
    assert.equal(a!.status, 200);
    assert.equal(a!.delivery_attempt, 1);
    assert.equal(a!.message_id, outcomeIds[0]);
    assert.equal(a!.next_attempt_at, undefined);
  } finally {
    await p.stop();
    await r.close();
  }
});

test("a receiver answering 500 then 200 gets the same result twice (same idempotency key), and the stream holds both attempts", async () => {
  const r = await receiver((n) => (n === 1 ? 500 : 200));
  const p = project();
  try {
    const { task: t } = await task("failed-final", r.url);
    const list = await waitFor("two audit events", async () => ((await audits(t.task_id)).length >= 2 ? audits(t.task_id) : null), 15_000);
    assert.deepEqual(
      list.map((a) => [a.delivery_attempt, a.status, a.delivered]),
      [
        [1, 500, false],
        [2, 200, true],
      ],
    );
    assert.ok(list[0]!.next_attempt_at !== undefined && list[1]!.next_attempt_at === undefined);
    const gap = Date.parse(list[1]!.at) - Date.parse(list[0]!.at);
    assert.ok(gap >= 200, `the retry waited its backoff (${gap} ms)`);
    assert.equal(r.got[0]!.headers["idempotency-key"], r.got[1]!.headers["idempotency-key"]);
    assert.equal((JSON.parse(r.got[1]!.body) as { status: string }).status, "failed");
  } finally {
    await p.stop();
    await r.close();
  }
});

test("attempts are bounded; a timeout and a redirect are failures, and the redirect is not followed", async () => {
  const r = await receiver((n) => (n === 1 ? 302 : n === 2 ? "hang" : 503));
  const p = project({ ...SETTINGS, timeoutMs: 300 });
  try {
    const { task: t } = await task("cancelled", r.url);
    const list = await waitFor("three audit events", async () => ((await audits(t.task_id)).length >= 3 ? audits(t.task_id) : null), 15_000);
    await new Promise((res) => setTimeout(res, 1500));
    assert.equal((await audits(t.task_id)).length, 3, "no fourth attempt");
    assert.equal(r.got.length, 3, "the redirect target was never asked");
    assert.deepEqual(
      r.got.map((g) => g.path),
      ["/hooks/vs3d", "/hooks/vs3d", "/hooks/vs3d"],
    );
    assert.equal(list[0]!.status, 302);
    assert.match(list[1]!.error ?? "", /no answer within 300 ms/);
    assert.equal(list[2]!.status, 503);
    assert.ok(list.every((a) => !a.delivered));
    assert.equal(list[2]!.next_attempt_at, undefined, "the last attempt schedules none");
  } finally {
    await p.stop();
    await r.close();
  }
});

test("a pending retry survives a restart: the next run reads the audit event and POSTs when it is due", async () => {
  const r = await receiver((n) => (n === 1 ? 500 : 200));
  const slow = { ...SETTINGS, retryBaseMs: 2000, retryMaxMs: 2000 };
  const first = project(slow);
  const { task: t } = await task("completed", r.url);
  await waitFor("the first attempt", async () => (await audits(t.task_id)).length === 1, 15_000);
  await first.stop();
  await new Promise((res) => setTimeout(res, 200));
  const second = project(slow, first.name);
  try {
    const list = await waitFor("the retry after the restart", async () => ((await audits(t.task_id)).length >= 2 ? audits(t.task_id) : null), 15_000);
    assert.deepEqual(
      list.map((a) => [a.delivery_attempt, a.delivered]),
      [
        [1, false],
        [2, true],
      ],
    );
    assert.ok(Date.parse(list[1]!.at) >= Date.parse(list[0]!.next_attempt_at!) - 50, "not before it was due");
    assert.equal(r.got.length, 2);
  } finally {
    await second.stop();
    await r.close();
  }
});

test("stopped in the middle of a POST (lost lock, shutdown): the result stays pending and the next run POSTs it again", async () => {
  const r = await receiver((n) => (n === 1 ? "hang" : 200));
  const first = project({ ...SETTINGS, timeoutMs: 30_000 });
  const { task: t, outcomeIds } = await task("completed", r.url);
  await waitFor("the first POST to arrive", () => Promise.resolve(r.got.length === 1), 15_000);
  await first.stop();
  assert.equal((await audits(t.task_id)).length, 0, "no audit event for an attempt cut short");
  const second = project(SETTINGS, first.name);
  try {
    const list = await waitFor("the POST made again", async () => ((await audits(t.task_id)).length ? audits(t.task_id) : null), 15_000);
    assert.deepEqual(
      list.map((a) => [a.delivery_attempt, a.delivered]),
      [[1, true]],
    );
    assert.deepEqual(
      r.got.map((g) => g.headers["idempotency-key"]),
      [outcomeIds[0], outcomeIds[0]],
    );
  } finally {
    await second.stop();
    await r.close();
  }
});

test("a task reopened (DLQ replay) while its result waits for a retry: that result is not POSTed again", async () => {
  const r = await receiver(() => 500);
  const p = project({ ...SETTINGS, retryBaseMs: 1500, retryMaxMs: 1500 });
  try {
    const { task: t } = await task("failed-final", r.url);
    await waitFor("the first attempt", async () => (await audits(t.task_id)).length === 1, 15_000);
    const s = await TaskStream.open(store, t.task_id);
    assert.ok(await s.appendIfAccepted(s.event("AttemptStarted", { reason: "replay" }, 2)), "the replay is accepted after an audit event");
    await new Promise((res) => setTimeout(res, 2500));
    assert.equal(r.got.length, 1);
    assert.equal((await audits(t.task_id)).length, 1);
  } finally {
    await p.stop();
    await r.close();
  }
});

test("a result body over WEBHOOK_MAX_BODY_BYTES is not sent: one audit event says why, no retry", async () => {
  const r = await receiver(() => 200);
  const p = project({ ...SETTINGS, maxBodyBytes: 64 });
  try {
    const { task: t } = await task("completed", r.url);
    const [a] = await waitFor("the audit event", async () => ((await audits(t.task_id)).length ? audits(t.task_id) : null), 15_000);
    assert.match(a!.error ?? "", /over WEBHOOK_MAX_BODY_BYTES \(64\)/);
    assert.equal(a!.delivered, false);
    assert.equal(a!.next_attempt_at, undefined);
    await new Promise((res) => setTimeout(res, 500));
    assert.equal(r.got.length, 0);
    assert.equal((await audits(t.task_id)).length, 1);
  } finally {
    await p.stop();
    await r.close();
  }
});
