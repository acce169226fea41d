import assert from "node:assert/strict";
import { test } from "node:test";
import { Hono } from "hono";
import { Registry } from "prom-client";
import { withHttpMetrics } from "../../../src/infra/metrics/http-metrics.ts";

/** An app shaped like the service's: `*` middleware that may refuse, parameterised routes, onError. */
function serviceLikeApp(): Hono {
  const app = new Hono();
  app.use("*", async (c, next) => (c.req.header("x-api-key") === "no" ? c.json({ error: "unauthorized" }, 401) : next()));
  app.use("/tasks/:id/*", async (_c, next) => next());
  app.onError((_e, c) => c.json({ error: "internal" }, 500));
  app.get("/tasks/:id", (c) => c.json({ id: c.req.param("id") }));
  app.get("/tasks/:id/events", () => {
    throw new Error("store away");
  });
  app.post("/tasks", (c) => c.json({}, 202));
  return app;
}

test("HTTP requests are counted by route pattern (never the raw path) and status, refusals and errors included", async () => {
  const registry = new Registry();
  const app = withHttpMetrics(serviceLikeApp(), registry);
  const ids = ["0b4b0c2e-7f0a-4a4e-9a55-1d7d1b1f6f01", "5e1c2a8c-7f0a-4a4e-9a55-1d7d1b1f6f02"];
  for (const id of ids) assert.equal((await app.request(`/tasks/${id}`)).status, 200);
  assert.equal((await app.request(`/tasks/${ids[0]}`, { headers: { "x-api-key": "no" } })).status, 401);
  assert.equal((await app.request(`/tasks/${ids[0]}/events`)).status, 500);
  assert.equal((await app.request("/tasks", { method: "POST" })).status, 202);
  assert.equal((await app.request("/no/such/page")).status, 404);
  assert.equal((await app.request(`/tasks/${ids[1]}/nothing-here`)).status, 404);

  const values = (await registry.getSingleMetric("vs3d_http_requests_total")!.get()).values;
  const counts = Object.fromEntries(values.map((v) => [`${v.labels.method} ${v.labels.route} ${v.labels.status}`, v.value]));
  assert.deepEqual(counts, {
    "GET /tasks/:id 200": 2,
    "GET /tasks/:id 401": 1,
    "GET /tasks/:id/events 500": 1,
    "POST /tasks 202": 1,
    "GET unmatched 404": 2,
  });
  const text = await registry.metrics();
  assert.match(text, /vs3d_http_request_duration_seconds_count\{method="GET",route="\/tasks\/:id"\} 3/);
  for (const id of ids) assert.ok(!text.includes(id), "no raw path in any label");
});
