import assert from "node:assert/strict";
import { test } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { createHttpApp, type HttpDeps } from "../../src/http/app.ts";
import { openApiDocument } from "../../src/http/openapi.ts";
import { embeddedEnv, taskMessage } from "../helpers/embedded-env.ts";
import { startServiceProcess, waitFor } from "../helpers/service-process.ts";

const doc = openApiDocument("0.0.0-test");

/** Validates a response body against one of the document's component schemas. */
function componentValidator() {
  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: "https://vs3d.local/openapi.json", ...doc });
  return (name: string, body: unknown): void => {
    const validate = ajv.getSchema(`https://vs3d.local/openapi.json#/components/schemas/${name}`)!;
    assert.ok(validate(body), `${name}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`);
  };
}

test("/openapi.json is a valid OpenAPI 3.1 document", async () => {
  const result = await new Validator().validate(structuredClone(doc));
  assert.equal(result.valid, true, JSON.stringify(result.errors));
  assert.equal(doc["openapi"], "3.1.0");
});

test("the task-result webhook is described as OpenAPI 3.1 webhooks: its signature headers and the result message body", () => {
  const hook = (doc["webhooks"] as Record<string, { post: { parameters: { name: string }[]; requestBody: unknown } }>)["taskResult"]!;
  assert.deepEqual(
    hook.post.parameters.map((p) => p.name),
    ["X-VS3D-Signature", "X-VS3D-Timestamp", "Idempotency-Key", "X-VS3D-Event"],
  );
  assert.match(JSON.stringify(hook.post.requestBody), /#\/components\/schemas\/ResultMessage/);
});

test("every route the HTTP app serves is in the document (and nothing the app lacks)", () => {
  // Only the route table is read; no handler runs. Dependencies are an inert stand-in: any
  // property or call on it gives itself back.
  const inert: unknown = new Proxy(() => undefined, { get: () => inert, apply: () => inert });
  const deps = new Proxy({}, { get: (_, key) => (key === "access" || key === "rateLimiter" ? undefined : inert) });
  const app = createHttpApp(deps as HttpDeps);
  // Pages and their static assets are not API: the dashboard and its modules, this document's page, the viewer's modules.
  const pages = (path: string) => path === "/" || path === "/docs" || path.startsWith("/viewer/modules") || path.startsWith("/dashboard/");
  const served = new Set(app.routes.filter((r) => r.method !== "ALL" && !pages(r.path)).map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}").replace(/\/\*$/, "/{path}")}`));
  const paths = doc["paths"] as Record<string, Record<string, unknown>>;
  const documented = new Set(Object.entries(paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m} ${p}`)));
  const undocumented = [...served].filter((r) => !documented.has(r));
  assert.deepEqual(undocumented, [], "served but not documented");
  assert.deepEqual(
    [...documented].filter((r) => !served.has(r)),
    [],
    "documented but not served",
  );
});

test("the service's real responses match the document's schemas", { timeout: 90_000 }, async () => {
  const check = componentValidator();
  const sandbox = await embeddedEnv();
  await sandbox.put("in", "files/input.bin", "hello");
  const svc = await startServiceProcess(sandbox.env);
  try {
    const served = (await (await fetch(`${svc.url}/openapi.json`)).json()) as { paths: unknown; info: { version: string } };
    assert.deepEqual(served.paths, doc["paths"]);
    const docs = await fetch(`${svc.url}/docs`);
    assert.equal(docs.status, 200);
    assert.doesNotMatch(await docs.text(), /https?:\/\/(?!vs3d\.local)/, "the docs page loads nothing from the internet");

    const msg = taskMessage({ params: { stages: 1, stage_ms: 300 } });
    const posted = await fetch(`${svc.url}/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(msg) });
    assert.equal(posted.status, 202);
    check("SubmitAccepted", await posted.json());
    const id = msg.task_id as string;
    await waitFor("the task to complete", async () => ((await (await fetch(`${svc.url}/tasks/${id}`)).json()) as { state: string }).state === "completed", 60_000);
    check("TaskView", await (await fetch(`${svc.url}/tasks/${id}`)).json());
    check("TaskList", await (await fetch(`${svc.url}/tasks?limit=5`)).json());
    check("StreamEvents", await (await fetch(`${svc.url}/tasks/${id}/events`)).json());
    check("Health", await (await fetch(`${svc.url}/health/live`)).json());
    check("Readiness", await (await fetch(`${svc.url}/health/ready`)).json());

    const missing = await fetch(`${svc.url}/tasks/00000000-0000-4000-8000-000000000000`);
    assert.equal(missing.status, 404);
    check("ErrorBody", await missing.json());
    const bad = await fetch(`${svc.url}/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    assert.equal(bad.status, 400);
    check("ErrorBody", await bad.json());
    const settled = await fetch(`${svc.url}/tasks/${id}/cancel`, { method: "POST" });
    assert.equal(settled.status, 409);
    check("ErrorBody", await settled.json());
  } finally {
    svc.process.kill("SIGTERM");
    await svc.process;
  }
});
