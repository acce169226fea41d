import assert from "node:assert/strict";
import { test } from "node:test";
import { isPublicAddress, webhookUrlRefusal } from "../../src/webhooks/webhook-url-policy.ts";

const STRICT = { allowedHosts: [], allowPrivate: false };

test("public http(s) URLs pass; other schemes, credentials and non-URLs are refused", () => {
  assert.equal(webhookUrlRefusal("https://app.example.com/webhooks/vs3d?x=1", STRICT), null);
  assert.equal(webhookUrlRefusal("http://93.184.216.34:8080/hook", STRICT), null);
  assert.match(webhookUrlRefusal("ftp://app.example.com/x", STRICT)!, /only http and https/);
  assert.match(webhookUrlRefusal("file:///etc/passwd", STRICT)!, /only http and https/);
  assert.match(webhookUrlRefusal("https://user:pw@app.example.com/", STRICT)!, /user:password/);
  assert.match(webhookUrlRefusal("not a url", STRICT)!, /not a URL/);
});

test("loopback, private, link-local and metadata addresses are refused, in every spelling the URL parser accepts", () => {
  for (const url of [
    "http://127.0.0.1/",
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f.0.0.1/",
    "http://0.0.0.0/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://localhost:8080/",
    "http://localhost.:8080/",
    "http://api.localhost/",
    "http://redis/",
  ]) {
    assert.notEqual(webhookUrlRefusal(url, STRICT), null, url);
  }
});

test("WEBHOOK_ALLOWED_HOSTS lets named hosts through; WEBHOOK_ALLOW_PRIVATE lets every one through", () => {
  assert.equal(webhookUrlRefusal("http://laravel.internal/hook", { allowedHosts: ["laravel.internal"], allowPrivate: false }), null);
  assert.equal(webhookUrlRefusal("http://10.0.0.5/hook", { allowedHosts: ["10.0.0.5"], allowPrivate: false }), null);
  assert.notEqual(webhookUrlRefusal("http://10.0.0.6/hook", { allowedHosts: ["10.0.0.5"], allowPrivate: false }), null);
  assert.equal(webhookUrlRefusal("http://127.0.0.1:9000/hook", { allowedHosts: [], allowPrivate: true }), null);
  assert.notEqual(webhookUrlRefusal("ftp://127.0.0.1/", { allowedHosts: [], allowPrivate: true }), null, "the scheme rule holds anyway");
});

test("isPublicAddress: resolved addresses are checked the same way", () => {
  assert.equal(isPublicAddress("8.8.8.8"), true);
  assert.equal(isPublicAddress("2606:4700:4700::1111"), true);
  for (const a of ["127.0.0.1", "10.0.0.1", "169.254.1.1", "::1", "::ffff:8.8.8.8", "fc00::1", "224.0.0.1", "not-an-ip"]) assert.equal(isPublicAddress(a), false, a);
});
