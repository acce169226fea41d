import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, test } from "node:test";
import { execa } from "execa";
import { webhookSignature } from "../../src/webhooks/webhook-signature.ts";
import { embeddedEnv, taskMessage } from "../helpers/embedded-env.ts";
import { REPO_ROOT } from "../helpers/fixtures.ts";
import { freePort, startServiceProcess, waitFor, type ServiceProcess } from "../helpers/service-process.ts";

/** The PHP side is the kit's own snippet (docs/laravel/src/WebhookSignature.php) behind PHP's
 * built-in server; the service is the real one (embedded: PGlite, local storage) over HTTP. */
const SECRET = "php-webhook-secret-0123456789";
const RECEIVER = join(REPO_ROOT, "test", "webhooks", "php", "receiver.php");
const servers: { kill(): boolean }[] = [];
after(() => {
  for (const s of servers) s.kill();
});

interface Got {
  verified: boolean;
  problem: string | null;
  answered: number;
  idempotency_key: string | null;
  event: string | null;
  task_id: string | null;
  status: string | null;
}

async function phpReceiver(root: string, name: string, o: { secret?: string; failFirst?: number } = {}) {
  const port = await freePort();
  const log = join(root, `${name}.jsonl`);
  const server = execa("php", ["-S", `127.0.0.1:${port}`, RECEIVER], {
    env: { VS3D_WEBHOOK_SECRET: o.secret ?? SECRET, VS3D_WEBHOOK_LOG: log, VS3D_WEBHOOK_FAIL_FIRST: String(o.failFirst ?? 0) },
    reject: false,
  });
  servers.push(server);
  const url = `http://127.0.0.1:${port}/webhooks/vision-s3d`;
  await waitFor(
    "the PHP server",
    () =>
      fetch(url).then(
        (r) => r.status === 405,
        () => false,
      ),
    20_000,
  );
  const got = async (): Promise<Got[]> =>
    (await readFile(log, "utf8").catch(() => ""))
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Got);
  return { url, got };
}

const SERVICE_ENV = { WEBHOOK_SECRET: SECRET, WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_RETRY_BASE_MS: "4000", WEBHOOK_RETRY_MAX_MS: "4000", WEBHOOK_MAX_ATTEMPTS: "2", WEBHOOK_TIMEOUT_MS: "5000" };

async function submit(svc: ServiceProcess, url: string): Promise<string> {
  const task = taskMessage({ params: { stages: 1, stage_ms: 50 }, webhook: { url } });
  const res = await fetch(`${svc.url}/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(task) });
  assert.equal(res.status, 202, await res.text());
  return task.task_id as string;
}

type StreamEvent = { id: string; type: string; data: Record<string, unknown> };
const events = async (svc: ServiceProcess, taskId: string): Promise<StreamEvent[]> => ((await (await fetch(`${svc.url}/tasks/${taskId}/events`)).json()) as { events: StreamEvent[] }).events;
const auditsOf = async (svc: ServiceProcess, taskId: string) => (await events(svc, taskId)).filter((e) => e.type === "WebhookDeliveryAttempted").map((e) => e.data);

test("webhooks verified in PHP: a real task's result is accepted, forgeries are refused, a 500 is retried, a restart mid-backoff still delivers", { timeout: 180_000 }, async () => {
  const sandbox = await embeddedEnv();
  await sandbox.put("in", "files/input.bin", "hello");
  const env = { ...sandbox.env, ...SERVICE_ENV };
  let svc = await startServiceProcess(env);
  try {
    // 1. A task's result, verified by the kit's snippet in PHP.
    const ok = await phpReceiver(sandbox.root, "ok");
    const t1 = await submit(svc, ok.url);
    const [got] = await waitFor("PHP got the result", async () => ((await ok.got()).length ? ok.got() : null), 60_000);
    assert.equal(got!.verified, true, got!.problem ?? "");
    assert.equal(got!.answered, 200);
    assert.equal(got!.task_id, t1);
    assert.equal(got!.status, "completed");
    assert.equal(got!.event, "completed");
    const completedId = (await events(svc, t1)).find((e) => e.type === "TaskCompleted")!.id;
    assert.equal(got!.idempotency_key, completedId, "the idempotency key is the result's message_id");
    const [a1] = await waitFor("the audit event", async () => ((await auditsOf(svc, t1)).length ? auditsOf(svc, t1) : null), 10_000);
    assert.equal(a1!["delivered"], true);
    assert.equal(a1!["status"], 200);

    // 2. PHP refuses a tampered body, a wrong secret and a stale timestamp.
    const body = JSON.stringify({ task_id: t1, status: "completed" });
    const now = Math.floor(Date.now() / 1000);
    const post = (b: string, signature: string, timestamp: number) =>
      fetch(ok.url, {
        method: "POST",
        body: b,
        headers: { "content-type": "application/json", "x-vs3d-signature": signature, "x-vs3d-timestamp": String(timestamp), "idempotency-key": "forged" },
      }).then((r) => r.status);
    assert.equal(await post(body, webhookSignature(SECRET, now, body), now), 200, "the control: a genuine request passes");
    assert.equal(await post(body.replace("completed", "failed"), webhookSignature(SECRET, now, body), now), 401, "tampered body");
    assert.equal(await post(body, webhookSignature("another-secret-0123456789", now, body), now), 401, "wrong secret");
    assert.equal(await post(body, webhookSignature(SECRET, now - 3600, body), now - 3600), 401, "an hour-old timestamp (replay)");
    const refusals = (await ok.got()).slice(-3).map((g) => g.problem);
    assert.deepEqual(
      refusals.map((p) => /signature does not match|timestamp outside/.test(p ?? "")),
      [true, true, true],
      JSON.stringify(refusals),
    );

    // A receiver with another secret refuses the service's real POSTs: retried, then given up.
    const other = await phpReceiver(sandbox.root, "other", { secret: "not-the-services-secret-0123" });
    const t2 = await submit(svc, other.url);
    const a2 = await waitFor("two refused attempts", async () => ((await auditsOf(svc, t2)).length >= 2 ? auditsOf(svc, t2) : null), 60_000);
    assert.deepEqual(
      a2.map((a) => [a["status"], a["delivered"]]),
      [
        [401, false],
        [401, false],
      ],
    );
    assert.ok((await other.got()).every((g) => !g.verified));

    // 3. 500 first, then 200: one retry, two audit events in the task's stream.
    const flaky = await phpReceiver(sandbox.root, "flaky", { failFirst: 1 });
    const t3 = await submit(svc, flaky.url);
    const a3 = await waitFor("two attempts", async () => ((await auditsOf(svc, t3)).length >= 2 ? auditsOf(svc, t3) : null), 60_000);
    assert.deepEqual(
      a3.map((a) => [a["delivery_attempt"], a["status"], a["delivered"]]),
      [
        [1, 500, false],
        [2, 200, true],
      ],
    );
    const g3 = await flaky.got();
    assert.equal(g3.length, 2);
    assert.ok(g3.every((g) => g.verified && g.idempotency_key === g3[0]!.idempotency_key));

    // 4. The service is killed while a retry waits; started again, it delivers.
    const late = await phpReceiver(sandbox.root, "late", { failFirst: 1 });
    const t4 = await submit(svc, late.url);
    await waitFor("the first attempt", async () => (await auditsOf(svc, t4)).length === 1, 60_000);
    svc.process.kill("SIGKILL");
    await svc.process;
    svc = await startServiceProcess(env);
    const a4 = await waitFor("the retry after the restart", async () => ((await auditsOf(svc, t4)).length >= 2 ? auditsOf(svc, t4) : null), 60_000);
    assert.deepEqual(
      a4.map((a) => [a["delivery_attempt"], a["delivered"]]),
      [
        [1, false],
        [2, true],
      ],
    );
    assert.ok(Date.parse(a4[1]!["at"] as string) >= Date.parse(a4[0]!["next_attempt_at"] as string) - 100, "not before it was due");
    const g4 = await late.got();
    assert.deepEqual(
      g4.map((g) => [g.answered, g.verified]),
      [
        [500, true],
        [200, true],
      ],
    );
  } catch (error) {
    throw new Error(`${String(error)}\n${svc.logs().slice(-6000)}`, { cause: error });
  } finally {
    svc.process.kill("SIGTERM");
    await svc.process;
  }
});

test("intake refuses a webhook the service must not call (WEBHOOK_REFUSED, HTTP 422): private addresses, and tenants without a secret", { timeout: 90_000 }, async () => {
  const sandbox = await embeddedEnv();
  await sandbox.put("in", "files/input.bin", "hello");
  const tenant = crypto.randomUUID();
  const svc = await startServiceProcess({ ...sandbox.env, WEBHOOK_SECRETS: `${tenant}:${SECRET}` });
  try {
    const refused = async (url: string, tenantId: string) => {
      const task = taskMessage({ tenant_id: tenantId, params: { stages: 1, stage_ms: 50 }, webhook: { url } });
      const res = await fetch(`${svc.url}/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(task) });
      const body = (await res.json()) as { outcome: string; error: { code: string; message: string } };
      return { status: res.status, code: body.error?.code, message: body.error?.message, taskId: task.task_id as string };
    };
    for (const url of ["http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:6379/", "http://localhost/hook", "http://[::1]/"]) {
      const r = await refused(url, tenant);
      assert.equal(r.status, 422, url);
      assert.equal(r.code, "WEBHOOK_REFUSED", url);
      assert.match(r.message ?? "", /private, loopback or link-local|local name/, url);
    }
    const noSecret = await refused("https://app.example.com/hook", crypto.randomUUID());
    assert.equal(noSecret.code, "WEBHOOK_REFUSED");
    assert.match(noSecret.message ?? "", /no webhook secret covers tenant/);
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(await auditsOf(svc, noSecret.taskId), [], "a refused webhook is never called, not even with the failed result");
  } finally {
    svc.process.kill("SIGTERM");
    await svc.process;
  }
});
