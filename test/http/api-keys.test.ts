import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../../src/config/config.ts";
import { embeddedEnv, taskMessage } from "../helpers/embedded-env.ts";
import { startServiceProcess } from "../helpers/service-process.ts";

const KEY_A = "key-a-0123456789abcdef";
const KEY_B = "key-b-0123456789abcdef";
const OPS = "ops-key-0123456789abcdef";
const host = { cwd: "/srv", hostname: "node-1", tmpdir: "/tmp" };
const TENANT_A = randomUUID();
const TENANT_B = randomUUID();

test("access settings: keys map to tenants; without keys only loopback; bad values name their variable", () => {
  const ok = loadConfig({ API_KEYS: `${KEY_A}:tenant-a, ${OPS}:*` }, host);
  assert.deepEqual(
    [...ok.http.keys],
    [
      [KEY_A, "tenant-a"],
      [OPS, "*"],
    ],
  );
  assert.equal(ok.http.host, "0.0.0.0", "with keys the API listens on every interface by default");
  assert.equal(loadConfig({}, host).http.host, "127.0.0.1", "without keys: loopback");
  const refuse = (env: Record<string, string>, variable: string) =>
    assert.throws(
      () => loadConfig(env, host),
      (e: unknown) => e instanceof ConfigError && e.variables.includes(variable) && e.message.includes(variable),
    );
  refuse({ HTTP_HOST: "0.0.0.0" }, "HTTP_HOST");
  refuse({ API_KEYS: "short:tenant" }, "API_KEYS");
  refuse({ API_KEYS: KEY_A }, "API_KEYS");
  refuse({ API_KEYS_FILE: "/nonexistent/keys.json" }, "API_KEYS_FILE");
  refuse({ CORS_ORIGINS: "not an origin" }, "CORS_ORIGINS");
  assert.equal(loadConfig({ HTTP_HOST: "127.0.0.2", HTTP_INTAKE: "false" }, host).http.intake, false);
});

const json = (key: string | null, body?: unknown, method = body === undefined ? "GET" : "POST"): RequestInit => ({
  method,
  headers: { ...(key ? { "x-api-key": key } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

test("API keys over HTTP: no key 401, another tenant's task invisible and not submittable, operator key sees all, probes and metrics open", { timeout: 90_000 }, async () => {
  const sandbox = await embeddedEnv();
  await sandbox.put("in", "files/input.bin", "hello");
  const svc = await startServiceProcess({ ...sandbox.env, API_KEYS: `${KEY_A}:${TENANT_A},${KEY_B}:${TENANT_B},${OPS}:*`, HTTP_HOST: "127.0.0.1", RATE_LIMIT_PER_MINUTE: "0" });
  try {
    const u = (p: string) => `${svc.url}${p}`;
    assert.equal((await fetch(u("/tasks"))).status, 401);
    assert.equal((await fetch(u("/tasks"), json("not-a-key-0123456789"))).status, 401);
    assert.equal((await fetch(u("/health/live"))).status, 200);
    assert.equal((await fetch(u("/metrics"))).status, 200);
    assert.equal((await fetch(u("/openapi.json"))).status, 200);

    const mine = taskMessage({ tenant_id: TENANT_A, params: { stages: 1, stage_ms: 100 } });
    const refused = await fetch(u("/tasks"), json(KEY_B, mine));
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "FORBIDDEN_TENANT");
    assert.equal((await fetch(u("/tasks"), { ...json(null, mine), headers: { "content-type": "application/json", authorization: `Bearer ${KEY_A}` } })).status, 202);

    const id = mine.task_id as string;
    assert.equal((await fetch(u(`/tasks/${id}`), json(KEY_A))).status, 200);
    for (const path of [`/tasks/${id}`, `/tasks/${id}/events`, `/tasks/${id}/progress`]) {
      assert.equal((await fetch(u(path), json(KEY_B))).status, 404, `${path} is invisible to another tenant`);
    }
    assert.equal((await fetch(u(`/tasks/${id}/cancel`), json(KEY_B, {}))).status, 404);
    const listB = (await (await fetch(u("/tasks"), json(KEY_B))).json()) as { tasks: { task_id: string }[] };
    assert.ok(!listB.tasks.some((t) => t.task_id === id));
    const listOps = (await (await fetch(u("/tasks"), json(OPS))).json()) as { tasks: { task_id: string; tenant_id: string }[] };
    assert.equal(listOps.tasks.find((t) => t.task_id === id)?.tenant_id, TENANT_A);
    assert.equal((await fetch(u(`/tasks/${id}?api_key=${KEY_A}`))).status, 200, "GETs may carry the key in the query (EventSource, viewer)");
    assert.equal(
      (await fetch(u("/tasks"), { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "POST" } })).headers.get("access-control-allow-origin"),
      null,
      "CORS is off",
    );
  } finally {
    svc.process.kill("SIGTERM");
    await svc.process;
  }
});

test("no keys: loopback only, said at start-up; HTTP_INTAKE=false refuses tasks; the rate limit answers 429 with Retry-After; CORS only for configured origins", { timeout: 90_000 }, async () => {
  const sandbox = await embeddedEnv();
  const svc = await startServiceProcess({ ...sandbox.env, HTTP_INTAKE: "false", RATE_LIMIT_PER_MINUTE: "5", CORS_ORIGINS: "https://app.example.com" });
  try {
    assert.match(svc.logs(), /no API_KEYS configured: the HTTP API listens on loopback only/);
    assert.match(svc.logs(), /"http_host":"127\.0\.0\.1"/);
    const off = await fetch(`${svc.url}/tasks`, json(null, taskMessage()));
    assert.equal(off.status, 403);
    assert.equal(((await off.json()) as { error: { code: string } }).error.code, "HTTP_INTAKE_DISABLED");
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${svc.url}/tasks/${randomUUID()}`)).status);
    assert.deepEqual(statuses.slice(0, 4), [404, 404, 404, 404]);
    const limited = await fetch(`${svc.url}/tasks`);
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    assert.equal((await fetch(`${svc.url}/health/ready`)).status !== 429, true, "probes are never rate limited");
    const pre = await fetch(`${svc.url}/health/live`, { headers: { origin: "https://app.example.com" } });
    assert.equal(pre.headers.get("access-control-allow-origin"), "https://app.example.com");
  } finally {
    svc.process.kill("SIGTERM");
    await svc.process;
  }
});
