import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import { test } from "node:test";
import { postWebhook } from "../../src/webhooks/post-webhook.ts";

const STRICT = { allowedHosts: [], allowPrivate: false };

async function server() {
  let hits = 0;
  const s = createServer((_req, res) => {
    hits += 1;
    res.end("ok");
  });
  s.listen(0, "127.0.0.1");
  await once(s, "listening");
  return { port: (s.address() as { port: number }).port, hits: () => hits, close: () => new Promise((r) => s.close(r)) };
}

test("a name that resolves to a private address is refused when it is resolved: nothing is sent", async () => {
  const s = await server();
  try {
    const out = await postWebhook({ url: `http://localhost:${s.port}/hook`, headers: {}, body: "{}", timeoutMs: 2000, policy: STRICT });
    assert.equal(out.status, undefined);
    assert.match(out.error ?? "", /refused: localhost resolves to (127\.0\.0\.1|::1)/);
    assert.equal(s.hits(), 0);
    const allowed = await postWebhook({ url: `http://localhost:${s.port}/hook`, headers: {}, body: "{}", timeoutMs: 2000, policy: { allowedHosts: ["localhost"], allowPrivate: false } });
    assert.equal(allowed.status, 200, allowed.error);
    assert.equal(s.hits(), 1);
  } finally {
    await s.close();
  }
});
