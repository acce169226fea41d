import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { before, test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { SERVICE_ONLY_RULES } from "../../src/contracts/json-schemas.ts";
import { decodeTask } from "../../src/intake/decode-task.ts";
import { loadProcessorRegistry, type ProcessorRegistry } from "../../src/processors/registry.ts";
import { REPO_ROOT } from "../helpers/fixtures.ts";
import { sampleTask } from "../helpers/task-events.ts";
import { taskWebhookRefusal } from "../../src/webhooks/task-webhook-check.ts";

let validate: (v: unknown) => boolean;
let registry: ProcessorRegistry;

before(async () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  const dir = join(REPO_ROOT, "schemas");
  for (const f of await readdir(dir)) ajv.addSchema(JSON.parse(await readFile(join(dir, f), "utf8")) as object);
  validate = ajv.getSchema("https://schemas.vision-s3d.dev/converter/task-message.schema.json")!;
  registry = await loadProcessorRegistry();
});

/** What the service decides on a message body: accepted, or refused with its code. */
function service(body: unknown): "accepted" | "INVALID_MESSAGE" | "INVALID_PARAMS" | "WEBHOOK_REFUSED" {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const d = decodeTask(Buffer.from(text));
  if (d.kind === "invalid") return "INVALID_MESSAGE";
  if (d.paramsError) return "INVALID_PARAMS";
  const processor = registry.get(d.task.task_type);
  if (!processor) return "INVALID_MESSAGE";
  if (taskWebhookRefusal(d.task, WEBHOOK_SETTINGS) !== null) return "WEBHOOK_REFUSED";
  return processor.params.safeParse(d.task.params).success ? "accepted" : "INVALID_PARAMS";
}
/** A service with a webhook secret and the default URL policy (no private addresses). */
const WEBHOOK_SETTINGS = { defaultSecret: "schema-agreement-secret", tenantSecrets: new Map<string, string>(), allowedHosts: [], allowPrivate: false };
const schema = (body: unknown) => (validate(typeof body === "string" ? JSON.parse(body) : body) ? "accepted" : "refused");

const t = () =>
  sampleTask() as unknown as Record<string, unknown> & {
    source: Record<string, unknown>;
    destination: Record<string, unknown>;
    webhook: Record<string, unknown>;
    retry: Record<string, unknown>;
    task_id: string;
  };
const with_ = (patch: (m: ReturnType<typeof t>) => void) => {
  const m = t();
  patch(m);
  return m;
};

/** Messages the service accepts: the schema accepts them too. */
const ACCEPTED: [string, unknown][] = [
  ["a thumbnail task", t()],
  [
    "a point cloud LOD task with defaults",
    with_((m) => {
      m.task_type = "point_cloud_lod";
      m.params = {};
    }),
  ],
  [
    "a COG task with params",
    with_((m) => {
      m.task_type = "geotiff_cog";
      m.params = {};
    }),
  ],
  [
    "keys with dots inside names",
    with_((m) => {
      m.source.key = "tenants/t/files/..hidden/a.b.jpg";
    }),
  ],
  [
    "the task's own progress channel",
    with_((m) => {
      m.webhook = { callback_queue: "vision-s3d.results.app-1", progress_channel: `task:${m.task_id}:progress` };
    }),
  ],
  [
    "a webhook URL with the outcomes it wants",
    with_((m) => {
      m.webhook = { callback_queue: "vision-s3d.results", url: "https://app.example.com/webhooks/vs3d?source=converter", events: ["completed", "failed"] };
    }),
  ],
];

/** Messages the service refuses, with the code: the schema refuses every one. */
const REFUSED: [string, unknown, "INVALID_MESSAGE" | "INVALID_PARAMS"][] = [
  [
    "a key that climbs",
    with_((m) => {
      m.source.key = "../etc/passwd";
    }),
    "INVALID_MESSAGE",
  ],
  [
    "a key with a '..' segment inside",
    with_((m) => {
      m.source.key = "tenants/t/../u/x.jpg";
    }),
    "INVALID_MESSAGE",
  ],
  [
    "an absolute key",
    with_((m) => {
      m.source.key = "/etc/passwd";
    }),
    "INVALID_MESSAGE",
  ],
  [
    "a backslash key",
    with_((m) => {
      m.source.key = "a\\b.jpg";
    }),
    "INVALID_MESSAGE",
  ],
  [
    "a base_key without its trailing /",
    with_((m) => {
      m.destination.base_key = "tenants/t/processed/x";
    }),
    "INVALID_MESSAGE",
  ],
  [
    "a base_key with a '.' segment",
    with_((m) => {
      m.destination.base_key = "tenants/./x/";
    }),
    "INVALID_MESSAGE",
  ],
  [
    "an unknown task type",
    with_((m) => {
      m.task_type = "teleport";
    }),
    "INVALID_MESSAGE",
  ],
  [
    "thumbnail params of the wrong type",
    with_((m) => {
      m.params = { sizes: "big" };
    }),
    "INVALID_PARAMS",
  ],
  [
    "thumbnail params of another task type",
    with_((m) => {
      m.params = { output_format: "laz", sizes: [-1] };
    }),
    "INVALID_PARAMS",
  ],
  [
    "COG params out of range",
    with_((m) => {
      m.task_type = "geotiff_cog";
      m.params = { compression: "ZIP-ZAP" };
    }),
    "INVALID_PARAMS",
  ],
  [
    "a broker queue as callback",
    with_((m) => {
      m.webhook = { callback_queue: "amq.evil" };
    }),
    "INVALID_MESSAGE",
  ],
  [
    "the service's own task queue as callback",
    with_((m) => {
      m.webhook = { callback_queue: "tasks.light" };
    }),
    "INVALID_MESSAGE",
  ],
  [
    "a 300-character callback queue",
    with_((m) => {
      m.webhook = { callback_queue: `vision-s3d.${"q".repeat(290)}` };
    }),
    "INVALID_MESSAGE",
  ],
  [
    "another channel as progress channel",
    with_((m) => {
      m.webhook = { callback_queue: "vision-s3d.results", progress_channel: "redis-admin" };
    }),
    "INVALID_MESSAGE",
  ],
  [
    "a NUL in an unknown params key",
    with_((m) => {
      m.params = { sizes: [64], "x\u0000": 1 };
    }),
    "INVALID_MESSAGE",
  ],
  [
    "a NUL in source.format",
    with_((m) => {
      m.source.format = "jpg\u0000";
    }),
    "INVALID_MESSAGE",
  ],
  [
    "a NUL in source.bucket",
    with_((m) => {
      m.source.bucket = "in\u0000";
    }),
    "INVALID_MESSAGE",
  ],
  [
    "priority 11",
    with_((m) => {
      m.priority = 11;
    }),
    "INVALID_MESSAGE",
  ],
  [
    "no tenant",
    with_((m) => {
      delete m.tenant_id;
    }),
    "INVALID_MESSAGE",
  ],
  [
    "a task_id that is no UUID",
    with_((m) => {
      m.task_id = "42";
    }),
    "INVALID_MESSAGE",
  ],
  [
    "params as an array",
    with_((m) => {
      m.params = [64];
    }),
    "INVALID_PARAMS",
  ],
  [
    "max_attempts 50",
    with_((m) => {
      m.retry = { attempt: 1, max_attempts: 50 };
    }),
    "INVALID_MESSAGE",
  ],
  [
    "a webhook URL that is not http(s)",
    with_((m) => {
      m.webhook = { url: "file:///etc/passwd" };
    }),
    "INVALID_MESSAGE",
  ],
  [
    "a webhook URL with user:password@",
    with_((m) => {
      m.webhook = { url: "https://user:pw@app.example.com/hook" };
    }),
    "INVALID_MESSAGE",
  ],
  [
    "a webhook URL that is no URL",
    with_((m) => {
      m.webhook = { url: "app.example.com/hook" };
    }),
    "INVALID_MESSAGE",
  ],
  [
    "an unknown webhook event",
    with_((m) => {
      m.webhook = { url: "https://app.example.com/hook", events: ["progress"] };
    }),
    "INVALID_MESSAGE",
  ],
  [
    "an empty webhook events list",
    with_((m) => {
      m.webhook = { url: "https://app.example.com/hook", events: [] };
    }),
    "INVALID_MESSAGE",
  ],
];

/** Rules no JSON Schema can state (SERVICE_ONLY_RULES): the service refuses, the schema cannot. */
const SERVICE_ONLY: [string, unknown, RegExp][] = [
  [
    "attempt 5 of max_attempts 3",
    with_((m) => {
      m.retry = { attempt: 5, max_attempts: 3 };
    }),
    /attempt must not exceed/,
  ],
  [
    "a lone surrogate",
    with_((m) => {
      m.params = { sizes: [64], note: "x\ud800y" };
    }),
    /lone UTF-16 surrogate/,
  ],
  ["params nested 100 deep", JSON.stringify(t()).replace('"sizes":[64,128]', `"sizes":[64],"deep":${'{"a":'.repeat(100)}1${"}".repeat(100)}`), /nest deeper than \d+ levels/],
  [
    "a webhook to the cloud metadata address",
    with_((m) => {
      m.webhook = { url: "http://169.254.169.254/latest/meta-data/" };
    }),
    /webhook\.url names no private, loopback or link-local address/,
  ],
  [
    "a webhook to localhost",
    with_((m) => {
      m.webhook = { url: "http://localhost:6379/" };
    }),
    /webhook\.url names no private, loopback or link-local address/,
  ],
  [
    "another task's progress channel",
    with_((m) => {
      m.webhook = { callback_queue: "vision-s3d.results", progress_channel: `task:${crypto.randomUUID()}:progress` };
    }),
    /names this task's own id/,
  ],
];

test("every message the service accepts, the JSON Schema accepts", () => {
  for (const [what, body] of ACCEPTED) {
    assert.equal(service(body), "accepted", `service: ${what}`);
    assert.equal(schema(body), "accepted", `schema: ${what}`);
  }
});

test("every rejected-message fixture is refused by the service (with its code) and by the JSON Schema", () => {
  for (const [what, body, code] of REFUSED) {
    assert.equal(service(body), code, `service: ${what}`);
    assert.equal(schema(body), "refused", `schema: ${what}`);
  }
});

test("the rules only the service can check are refused by it and said in the schema's description", async () => {
  const description = (JSON.parse(await readFile(join(REPO_ROOT, "schemas", "task-message.schema.json"), "utf8")) as { description: string }).description;
  for (const [what, body, rule] of SERVICE_ONLY) {
    assert.notEqual(service(body), "accepted", `service refuses ${what}`);
    assert.ok(SERVICE_ONLY_RULES.some((r) => rule.test(r)) && rule.test(description), `${what}: its rule is listed in the schema's description`);
  }
});

test("every schema has $id, title and description, and the cancel message has one", async () => {
  const dir = join(REPO_ROOT, "schemas");
  const files = await readdir(dir);
  assert.ok(files.includes("cancel-message.schema.json"));
  for (const f of files) {
    const s = JSON.parse(await readFile(join(dir, f), "utf8")) as Record<string, unknown>;
    assert.equal(s["$id"], `https://schemas.vision-s3d.dev/converter/${f}`, f);
    assert.ok(typeof s["title"] === "string" && typeof s["description"] === "string", f);
  }
});
