import { hostname, tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { booleanVar, intVar, listVar, optionalString, urlVar } from "./env-values.ts";
import { MAX_TIMER_SECONDS } from "../contracts/resource-profile.ts";
import { ArchiveCeilingsEnv } from "./archive-ceilings.ts";
import { HttpAccessEnv, httpAccessFrom, type HttpAccess } from "./http-access.ts";
import { WebhookEnv, webhookSettingsFrom, type WebhookSettings } from "./webhook-settings.ts";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** The raw environment, one zod field per variable, so an issue's path is the variable's name. */
export const Env = z.object({
  AMQP_URL: urlVar(["amqp", "amqps"]),
  AMQP_PREFETCH: intVar(16, 1, 1000),
  STATELY_INSPECT: urlVar(["ws", "wss"]),
  REDIS_URL: urlVar(["redis", "rediss"]),
  EVENT_STORE_URL: optionalString.refine(
    (v) => v === undefined || !/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || /^(postgres|postgresql|kurrentdb|kurrentdb\+discover|esdb|esdb\+discover):\/\//i.test(v),
    "must be a postgres://, kurrentdb:// or esdb:// URL, or a directory for PGlite",
  ),
  S3_ENDPOINT: urlVar(["http", "https"]),
  AWS_ACCESS_KEY_ID: optionalString,
  AWS_SECRET_ACCESS_KEY: optionalString,
  AWS_REGION: optionalString,
  S3_FORCE_PATH_STYLE: booleanVar(false),
  STORAGE_DIR: optionalString,
  WORK_DIR: optionalString,
  HTTP_PORT: intVar(8080, 0, 65_535),
  NODE_ID: optionalString.refine((v) => v === undefined || /^[A-Za-z0-9._-]{1,128}$/.test(v), "must be 1–128 of A–Z a–z 0–9 . _ - (it names the broker-<node_id> stream)"),
  TENANT_PREFIX: optionalString.refine(
    (v) => v === undefined || (v.endsWith("/") && !v.startsWith("/") && !v.includes("\\") && !v.split("/").some((s) => s === ".." || s === ".")),
    "must be a relative key prefix ending in '/' without '.' or '..' segments, e.g. tenants/{tenant_id}/",
  ),
  DATA_DIR: optionalString,
  LOG_LEVEL: z.preprocess((v) => (v === "" ? undefined : v), z.enum(LOG_LEVELS).default("info")),
  SHUTDOWN_GRACE_SECONDS: intVar(30, 0, 86_400),
  RETRY_DELAYS_SECONDS: listVar(
    z.string().regex(/^\d+$/, "must be whole seconds").transform(Number).pipe(z.number().int().positive().max(MAX_TIMER_SECONDS, "must be at most 2147483 s (24 days)")),
    [30, 60],
  ),
  PROCESSOR_MODULES: listVar(z.string(), []),
  IO_CONCURRENCY: intVar(4, 1, 256),
  // Ceilings on archive_extract's caps (params can only lower them): src/config/archive-ceilings.ts.
  ...ArchiveCeilingsEnv.shape,
  DETECTION_MODEL: optionalString,
  // Who may use the HTTP API and from where: src/config/http-access.ts.
  ...HttpAccessEnv.shape,
  // Signing secrets, allowed hosts and retries of task webhooks: src/config/webhook-settings.ts.
  ...WebhookEnv.shape,
});
export type Env = z.infer<typeof Env>;

export type EventStoreConfig = { kind: "postgres"; url: string } | { kind: "kurrentdb"; url: string } | { kind: "pglite"; dataDir: string };

export type StorageConfig =
  | { kind: "local"; rootDir: string }
  | {
      kind: "s3";
      /** Absent: the SDK's AWS endpoint for the region. */
      endpoint?: string;
      region: string;
      /** Absent: the SDK's default provider chain (instance role, profile, …). */
      credentials?: { accessKeyId: string; secretAccessKey: string };
      forcePathStyle: boolean;
    };

export interface Config {
  /** When set, tasks are consumed from RabbitMQ; else HTTP `POST /tasks` is the only intake. */
  amqpUrl: string | undefined;
  /** Unacked deliveries per class queue: how much of the backlog the broker sees to choose from. */
  amqpPrefetch: number;
  /** A Stately inspector's WebSocket (`ws://127.0.0.1:8090`): task and broker actors stream to it
   * live. Off unless set: snapshots carry whole task messages. */
  statelyInspect: string | undefined;
  /** When set, progress goes over Redis Pub/Sub; else it stays in-process. */
  redisUrl: string | undefined;
  eventStore: EventStoreConfig;
  storage: StorageConfig;
  workDir: string;
  httpPort: number;
  nodeId: string;
  /** A key prefix every source and destination key must stay under, `{tenant_id}` filled per task. */
  tenantPrefix: string | undefined;
  dataDir: string;
  logLevel: (typeof LOG_LEVELS)[number];
  shutdownGraceSeconds: number;
  retryDelaysSeconds: number[];
  processorModules: string[];
  /** Downloads and uploads at once on this node (their own limit, not CPU slots). */
  ioConcurrency: number;
  /** A YOLO-format ONNX model for image_detect (absolute path); unset: detection is unavailable.
   * Workers read the same variable from their environment. */
  detectionModel?: string | undefined;
  /** API keys and tenants, the bind address, the HTTP intake switch, rate limit, CORS. */
  http: HttpAccess;
  /** Secrets, allowed hosts, timeout and retries of task webhooks. */
  webhooks: WebhookSettings;
}

/** What the defaults depend on; injected so that loading config stays a pure function of its inputs. */
export interface ConfigHost {
  cwd: string;
  hostname: string;
  tmpdir: string;
}

export function nodeConfigHost(): ConfigHost {
  return { cwd: process.cwd(), hostname: hostname(), tmpdir: tmpdir() };
}

/** R2 wants "auto"; AWS needs a real region, so set AWS_REGION there. */
export const DEFAULT_S3_REGION = "auto";

/** Thrown for any bad variable. The message lists every bad variable by name, one per line. */
export class ConfigError extends Error {
  readonly variables: string[];
  constructor(variables: string[], message: string) {
    super(message);
    this.name = "ConfigError";
    this.variables = variables;
  }
}

/** Parses the environment into a Config, or throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env, host: ConfigHost = nodeConfigHost()): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${issueLocation(i.path)}: ${i.message}`);
    const names = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? "")))];
    throw new ConfigError(names, `invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(host.cwd, p));
  const dataDir = abs(e.DATA_DIR ?? ".vs3d");
  const http = httpAccessFrom({ ...e, ...(e.API_KEYS_FILE !== undefined ? { API_KEYS_FILE: abs(e.API_KEYS_FILE) } : {}) });
  if ("variable" in http) throw new ConfigError([http.variable], `invalid configuration:\n  ${http.variable}: ${http.message}`);
  const webhooks = webhookSettingsFrom({ ...e, ...(e.WEBHOOK_SECRETS_FILE !== undefined ? { WEBHOOK_SECRETS_FILE: abs(e.WEBHOOK_SECRETS_FILE) } : {}) });
  if ("variable" in webhooks) throw new ConfigError([webhooks.variable], `invalid configuration:\n  ${webhooks.variable}: ${webhooks.message}`);
  return {
    amqpUrl: e.AMQP_URL,
    amqpPrefetch: e.AMQP_PREFETCH,
    statelyInspect: e.STATELY_INSPECT,
    redisUrl: e.REDIS_URL,
    eventStore: eventStoreConfig(e.EVENT_STORE_URL, dataDir, abs),
    storage: storageConfig(e, dataDir, abs),
    workDir: abs(e.WORK_DIR ?? join(host.tmpdir, "vs3d-work")),
    httpPort: e.HTTP_PORT,
    nodeId: e.NODE_ID ?? host.hostname,
    tenantPrefix: e.TENANT_PREFIX,
    dataDir,
    logLevel: e.LOG_LEVEL,
    shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
    retryDelaysSeconds: e.RETRY_DELAYS_SECONDS,
    processorModules: e.PROCESSOR_MODULES,
    ioConcurrency: e.IO_CONCURRENCY,
    detectionModel: e.DETECTION_MODEL === undefined ? undefined : abs(e.DETECTION_MODEL),
    http,
    webhooks,
  };
}

/** "RETRY_DELAYS_SECONDS item 2" reads better than "RETRY_DELAYS_SECONDS.1" to whoever edits the env. */
function issueLocation(path: readonly PropertyKey[]): string {
  const [name, ...rest] = path;
  const item = rest.find((p): p is number => typeof p === "number");
  return `${String(name ?? "(environment)")}${item === undefined ? "" : ` item ${item + 1}`}`;
}

function eventStoreConfig(url: string | undefined, dataDir: string, abs: (p: string) => string): EventStoreConfig {
  if (url === undefined) return { kind: "pglite", dataDir: join(dataDir, "events") };
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: "postgres", url };
  if (/^(kurrentdb|esdb)(\+discover)?:\/\//i.test(url)) return { kind: "kurrentdb", url };
  return { kind: "pglite", dataDir: abs(url) };
}

function storageConfig(e: Env, dataDir: string, abs: (p: string) => string): StorageConfig {
  const keyId = e.AWS_ACCESS_KEY_ID;
  const secret = e.AWS_SECRET_ACCESS_KEY;
  // Half a credential pair is a deployment mistake; failing here beats a signature error per task.
  if ((keyId === undefined) !== (secret === undefined)) {
    const missing = keyId === undefined ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY";
    throw new ConfigError([missing], `invalid configuration:\n  ${missing}: must be set together with ${missing === "AWS_ACCESS_KEY_ID" ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID"}`);
  }
  if (e.S3_ENDPOINT === undefined && keyId === undefined) {
    return { kind: "local", rootDir: abs(e.STORAGE_DIR ?? join(dataDir, "storage")) };
  }
  return {
    kind: "s3",
    ...(e.S3_ENDPOINT !== undefined ? { endpoint: e.S3_ENDPOINT } : {}),
    region: e.AWS_REGION ?? DEFAULT_S3_REGION,
    ...(keyId !== undefined && secret !== undefined ? { credentials: { accessKeyId: keyId, secretAccessKey: secret } } : {}),
    forcePathStyle: e.S3_FORCE_PATH_STYLE,
  };
}
