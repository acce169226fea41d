import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../../src/config/config.ts";
import { webhookSecretFor, webhookSettingsFrom, WebhookEnv } from "../../src/config/webhook-settings.ts";

const HOST = { cwd: "/srv", hostname: "node-1", tmpdir: "/tmp" };
const SECRET = "s3cret-s3cret-s3cret";

test("defaults: no secret (so no webhook is accepted), private addresses refused, bounded retries", () => {
  const w = loadConfig({}, HOST).webhooks;
  assert.equal(w.defaultSecret, undefined);
  assert.equal(w.tenantSecrets.size, 0);
  assert.equal(w.allowPrivate, false);
  assert.deepEqual(w.allowedHosts, []);
  assert.equal(w.maxAttempts, 8);
  assert.equal(w.timeoutMs, 10_000);
});

test("per-tenant secrets from WEBHOOK_SECRETS and a file win over WEBHOOK_SECRET", () => {
  const files: Record<string, string> = { "/srv/secrets.json": JSON.stringify({ "tenant-b": "file-secret-file-secret" }) };
  const w = webhookSettingsFrom(WebhookEnv.parse({ WEBHOOK_SECRET: SECRET, WEBHOOK_SECRETS: "tenant-a:a-secret:with-colon-123", WEBHOOK_SECRETS_FILE: "/srv/secrets.json" }), (p) => files[p]!);
  assert.ok(!("variable" in w));
  assert.equal(webhookSecretFor(w, "tenant-a"), "a-secret:with-colon-123");
  assert.equal(webhookSecretFor(w, "tenant-b"), "file-secret-file-secret");
  assert.equal(webhookSecretFor(w, "tenant-c"), SECRET);
});

test("bad settings are named like any other bad variable", () => {
  const bad = (env: Record<string, string>, variable: string) =>
    assert.throws(
      () => loadConfig(env, HOST),
      (e: unknown) => e instanceof ConfigError && e.variables.includes(variable),
      variable,
    );
  bad({ WEBHOOK_SECRET: "short" }, "WEBHOOK_SECRET");
  bad({ WEBHOOK_SECRETS: "no-colon-here-at-all" }, "WEBHOOK_SECRETS");
  bad({ WEBHOOK_SECRETS: "t:short" }, "WEBHOOK_SECRETS");
  bad({ WEBHOOK_SECRETS_FILE: "/nonexistent/secrets.json" }, "WEBHOOK_SECRETS_FILE");
  bad({ WEBHOOK_ALLOW_PRIVATE: "ture" }, "WEBHOOK_ALLOW_PRIVATE");
  bad({ WEBHOOK_RETRY_BASE_MS: "5000", WEBHOOK_RETRY_MAX_MS: "100" }, "WEBHOOK_RETRY_MAX_MS");
});
