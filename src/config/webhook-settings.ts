import { readFileSync } from "node:fs";
import { z } from "zod";
import { booleanVar, intVar, listVar, optionalString } from "./env-values.ts";

/** How task webhooks are signed, where they may go, and how hard delivery tries (src/webhooks). */
export interface WebhookSettings {
  /** Signs the webhooks of every tenant without its own secret. */
  defaultSecret: string | undefined;
  /** tenant_id → its own secret (WEBHOOK_SECRETS, WEBHOOK_SECRETS_FILE). */
  tenantSecrets: ReadonlyMap<string, string>;
  /** Hosts a webhook may name even when they are (or resolve to) private addresses. */
  allowedHosts: readonly string[];
  /** Any private, loopback or link-local address is allowed (a closed network, tests). */
  allowPrivate: boolean;
  /** One POST's limit, connection to last byte. */
  timeoutMs: number;
  /** POSTs of one result at most, the first included. */
  maxAttempts: number;
  /** The wait after the first failed POST, doubled after each further one (with jitter). */
  retryBaseMs: number;
  /** The longest wait between two POSTs. */
  retryMaxMs: number;
  /** A result body over this many bytes is not sent (the audit event says so). */
  maxBodyBytes: number;
}

export const WebhookEnv = z.object({
  WEBHOOK_SECRET: optionalString,
  WEBHOOK_SECRETS: optionalString,
  WEBHOOK_SECRETS_FILE: optionalString,
  WEBHOOK_ALLOWED_HOSTS: listVar(z.string().toLowerCase(), []),
  WEBHOOK_ALLOW_PRIVATE: booleanVar(false),
  WEBHOOK_TIMEOUT_MS: intVar(10_000, 100, 120_000),
  WEBHOOK_MAX_ATTEMPTS: intVar(8, 1, 50),
  WEBHOOK_RETRY_BASE_MS: intVar(5_000, 10, 3_600_000),
  WEBHOOK_RETRY_MAX_MS: intVar(900_000, 10, 86_400_000),
  WEBHOOK_MAX_BODY_BYTES: intVar(1_048_576, 1024, 16_777_216),
});
export type WebhookEnv = z.infer<typeof WebhookEnv>;

/** Short secrets are guessable from a signature; 16 characters is the floor. */
const SECRET = /^[\x21-\x7e]{16,512}$/;
const TENANT = /^[A-Za-z0-9._-]{1,128}$/;

type Problem = { variable: string; message: string };

/** Parses the webhook settings; returns the problem instead of throwing, so loadConfig reports it
 * like any other bad variable. `readFile` is injected for tests. */
export function webhookSettingsFrom(e: WebhookEnv, readFile: (path: string) => string = (p) => readFileSync(p, "utf8")): WebhookSettings | Problem {
  if (e.WEBHOOK_SECRET !== undefined && !SECRET.test(e.WEBHOOK_SECRET)) return { variable: "WEBHOOK_SECRET", message: "must be 16–512 printable characters without spaces" };
  const tenantSecrets = new Map<string, string>();
  const entries: [string, [string, string][]][] = [["WEBHOOK_SECRETS", secretPairs(e.WEBHOOK_SECRETS ?? "")]];
  if (e.WEBHOOK_SECRETS_FILE !== undefined) {
    const fromFile = secretsFile(e.WEBHOOK_SECRETS_FILE, readFile);
    if ("message" in fromFile) return fromFile;
    entries.push(["WEBHOOK_SECRETS_FILE", fromFile.pairs]);
  }
  for (const [variable, pairs] of entries) {
    for (const [tenant, secret] of pairs) {
      if (!TENANT.test(tenant)) return { variable, message: "must be comma-separated tenant_id:secret pairs" };
      if (!SECRET.test(secret)) return { variable, message: `the secret of tenant ${tenant} must be 16–512 printable characters without spaces` };
      tenantSecrets.set(tenant, secret);
    }
  }
  if (e.WEBHOOK_RETRY_MAX_MS < e.WEBHOOK_RETRY_BASE_MS) return { variable: "WEBHOOK_RETRY_MAX_MS", message: "must not be below WEBHOOK_RETRY_BASE_MS" };
  return {
    defaultSecret: e.WEBHOOK_SECRET,
    tenantSecrets,
    allowedHosts: e.WEBHOOK_ALLOWED_HOSTS,
    allowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
    timeoutMs: e.WEBHOOK_TIMEOUT_MS,
    maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
    retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
    retryMaxMs: e.WEBHOOK_RETRY_MAX_MS,
    maxBodyBytes: e.WEBHOOK_MAX_BODY_BYTES,
  };
}

/** The secret that signs a tenant's webhooks: its own, else the default. */
export function webhookSecretFor(settings: Pick<WebhookSettings, "defaultSecret" | "tenantSecrets">, tenantId: string): string | undefined {
  return settings.tenantSecrets.get(tenantId) ?? settings.defaultSecret;
}

/** `tenant:secret,tenant:secret`; a secret may itself hold ':' (split at the first one). */
function secretPairs(text: string): [string, string][] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((pair) => [pair.slice(0, Math.max(0, pair.indexOf(":"))), pair.slice(pair.indexOf(":") + 1)]);
}

function secretsFile(path: string, readFile: (path: string) => string): { pairs: [string, string][] } | Problem {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFile(path));
  } catch (error) {
    return { variable: "WEBHOOK_SECRETS_FILE", message: `must be a readable JSON file {"<tenant_id>": "<secret>"}: ${(error as Error).message}` };
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return { variable: "WEBHOOK_SECRETS_FILE", message: 'must hold a JSON object {"<tenant_id>": "<secret>"}' };
  return { pairs: Object.entries(parsed).map(([tenant, secret]) => [tenant, String(secret)]) };
}
