import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";
import { signedWebhookHeaders, webhookSignature, WEBHOOK_HEADERS } from "../../src/webhooks/webhook-signature.ts";

test("the signature is sha256=<hex HMAC-SHA256 of '<timestamp>.<body>'>", () => {
  // A known vector, computed independently of the implementation.
  const expected = createHmac("sha256", "0123456789abcdef").update('1796126400.{"a":1}').digest("hex");
  assert.equal(webhookSignature("0123456789abcdef", 1796126400, '{"a":1}'), `sha256=${expected}`);
  assert.notEqual(webhookSignature("0123456789abcdef", 1796126401, '{"a":1}'), `sha256=${expected}`, "the timestamp is signed");
  assert.notEqual(webhookSignature("0123456789abcdeX", 1796126400, '{"a":1}'), `sha256=${expected}`, "the secret matters");
});

test("signed headers: unix-seconds timestamp, signature over it, the message id as idempotency key", () => {
  const h = signedWebhookHeaders({ secret: "0123456789abcdef", body: "{}", messageId: "m-1", event: "completed", now: new Date("2026-12-01T12:00:00.900Z") });
  assert.equal(h[WEBHOOK_HEADERS.timestamp], "1796126400");
  assert.equal(h[WEBHOOK_HEADERS.signature], webhookSignature("0123456789abcdef", 1796126400, "{}"));
  assert.equal(h[WEBHOOK_HEADERS.idempotency], "m-1");
  assert.equal(h[WEBHOOK_HEADERS.event], "completed");
  assert.equal(h["content-type"], "application/json");
});
