import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../src/config/config.ts";

const host = { cwd: "/srv/app", hostname: "node-7", tmpdir: "/var/tmp" };

function errorFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, host);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be refused`);
}

test("an empty environment runs embedded: local storage, PGlite, in-process progress, documented defaults", () => {
  const c = loadConfig({}, host);
  assert.deepEqual(c.storage, { kind: "local", rootDir: "/srv/app/.vs3d/storage" });
  assert.deepEqual(c.eventStore, { kind: "pglite", dataDir: "/srv/app/.vs3d/events" });
  assert.equal(c.amqpUrl, undefined);
  assert.equal(c.redisUrl, undefined);
  assert.equal(c.workDir, "/var/tmp/vs3d-work");
  assert.equal(c.httpPort, 8080);
  assert.equal(c.nodeId, "node-7");
  assert.equal(c.logLevel, "info");
  assert.equal(c.shutdownGraceSeconds, 30);
  assert.deepEqual(c.retryDelaysSeconds, [30, 60]);
  assert.deepEqual(c.processorModules, []);
  assert.equal(c.tenantPrefix, undefined);
});

test("empty strings count as unset, as docker-compose writes them", () => {
  assert.deepEqual(loadConfig({ HTTP_PORT: "", REDIS_URL: "", S3_ENDPOINT: "", LOG_LEVEL: "" }, host), loadConfig({}, host));
});

test("DATA_DIR moves both embedded defaults; explicit dirs win", () => {
  const c = loadConfig({ DATA_DIR: "/data", STORAGE_DIR: "files", EVENT_STORE_URL: "/ev" }, host);
  assert.deepEqual(c.storage, { kind: "local", rootDir: "/srv/app/files" });
  assert.deepEqual(c.eventStore, { kind: "pglite", dataDir: "/ev" });
  assert.deepEqual(loadConfig({ DATA_DIR: "/data" }, host).eventStore, { kind: "pglite", dataDir: "/data/events" });
});

test("event store URLs pick their adapter by scheme", () => {
  assert.equal(loadConfig({ EVENT_STORE_URL: "postgres://u:p@db/vs3d" }, host).eventStore.kind, "postgres");
  assert.equal(loadConfig({ EVENT_STORE_URL: "postgresql://db/vs3d" }, host).eventStore.kind, "postgres");
  assert.equal(loadConfig({ EVENT_STORE_URL: "kurrentdb://k:2113?tls=false" }, host).eventStore.kind, "kurrentdb");
});

test("S3 is chosen by an endpoint or credentials; region defaults to auto; booleans parse", () => {
  const r2 = loadConfig({ S3_ENDPOINT: "https://acc.r2.cloudflarestorage.com", AWS_ACCESS_KEY_ID: "k", AWS_SECRET_ACCESS_KEY: "s" }, host);
  assert.deepEqual(r2.storage, {
    kind: "s3",
    endpoint: "https://acc.r2.cloudflarestorage.com",
    region: "auto",
    credentials: { accessKeyId: "k", secretAccessKey: "s" },
    forcePathStyle: false,
  });
  for (const [raw, expected] of [
    ["true", true],
    ["1", true],
    ["YES", true],
    ["on", true],
    ["false", false],
    ["0", false],
    ["No", false],
  ] as const) {
    const c = loadConfig({ S3_ENDPOINT: "http://127.0.0.1:9000", S3_FORCE_PATH_STYLE: raw }, host);
    assert.equal(c.storage.kind === "s3" && c.storage.forcePathStyle, expected, raw);
  }
  const aws = loadConfig({ AWS_ACCESS_KEY_ID: "k", AWS_SECRET_ACCESS_KEY: "s", AWS_REGION: "eu-west-1" }, host);
  assert.deepEqual(aws.storage, { kind: "s3", region: "eu-west-1", credentials: { accessKeyId: "k", secretAccessKey: "s" }, forcePathStyle: false });
});

test("ints and lists parse, with whitespace tolerated", () => {
  const c = loadConfig({ HTTP_PORT: " 9090 ", SHUTDOWN_GRACE_SECONDS: "0", RETRY_DELAYS_SECONDS: "5, 10 ,20", PROCESSOR_MODULES: "./a.ts, /opt/b.js" }, host);
  assert.equal(c.httpPort, 9090);
  assert.equal(c.shutdownGraceSeconds, 0);
  assert.deepEqual(c.retryDelaysSeconds, [5, 10, 20]);
  assert.deepEqual(c.processorModules, ["./a.ts", "/opt/b.js"]);
});

test("each bad value is refused with a message naming its variable", () => {
  const bad: Record<string, string> = {
    AMQP_URL: "http://rabbit",
    REDIS_URL: "127.0.0.1:6379",
    EVENT_STORE_URL: "mysql://db/x",
    S3_ENDPOINT: "r2.example.com",
    S3_FORCE_PATH_STYLE: "ture",
    HTTP_PORT: "80a",
    NODE_ID: "node/1",
    TENANT_PREFIX: "../tenants/{tenant_id}/",
    LOG_LEVEL: "loud",
    SHUTDOWN_GRACE_SECONDS: "-1",
    RETRY_DELAYS_SECONDS: "30,,60",
    PROCESSOR_MODULES: "a.ts,",
  };
  for (const [name, value] of Object.entries(bad)) {
    const error = errorFor({ [name]: value });
    assert.deepEqual(error.variables, [name], `${name}=${value}`);
    assert.match(error.message, new RegExp(`\\b${name}\\b`));
  }
  assert.match(errorFor({ HTTP_PORT: "70000" }).message, /HTTP_PORT/);
  assert.match(errorFor({ RETRY_DELAYS_SECONDS: "30,soon" }).message, /RETRY_DELAYS_SECONDS item 2/);
});

test("several bad variables are all reported at once", () => {
  assert.deepEqual(errorFor({ HTTP_PORT: "x", LOG_LEVEL: "loud" }).variables.sort(), ["HTTP_PORT", "LOG_LEVEL"]);
});

test("half a credential pair names the missing half", () => {
  assert.deepEqual(errorFor({ AWS_ACCESS_KEY_ID: "k" }).variables, ["AWS_SECRET_ACCESS_KEY"]);
  assert.deepEqual(errorFor({ AWS_SECRET_ACCESS_KEY: "s" }).variables, ["AWS_ACCESS_KEY_ID"]);
});

test(".env.example documents every variable the config reads", async () => {
  const { readFile } = await import("node:fs/promises");
  const { Env } = await import("../../src/config/config.ts");
  const { REPO_ROOT } = await import("../helpers/fixtures.ts");
  const example = await readFile(`${REPO_ROOT}/.env.example`, "utf8");
  for (const name of Object.keys(Env.shape)) assert.match(example, new RegExp(`^${name}=`, "m"), name);
});

test("the configured storage and progress adapters are the ones built", async () => {
  const { mkdtemp, rm, writeFile } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const { createStorageFromConfig } = await import("../../src/infra/storage/storage-from-config.ts");
  const { createProgressBusFromConfig } = await import("../../src/infra/progress/progress-bus-from-config.ts");
  const dir = await mkdtemp(join(tmpdir(), "vs3d-config-"));
  try {
    const config = loadConfig({ STORAGE_DIR: join(dir, "storage") }, host);
    const storage = await createStorageFromConfig(config.storage);
    await writeFile(join(dir, "a.txt"), "hi");
    await storage.upload("b", "k/a.txt", join(dir, "a.txt"));
    assert.equal((await storage.head("b", "k/a.txt"))?.size, 2);
    assert.equal(await (await import("node:fs/promises")).readFile(join(dir, "storage", "b", "k", "a.txt"), "utf8"), "hi");
    const bus = createProgressBusFromConfig(config);
    assert.equal(await bus.last("t"), null);
    await bus.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
