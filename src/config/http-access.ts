import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { z } from "zod";
import { booleanVar, intVar, listVar, optionalString } from "./env-values.ts";

/** Who may use the HTTP API, and from where (DESIGN.md §8). */
export interface HttpAccess {
  /** API key → the tenant it acts for; "*" acts for every tenant (an operator's key). Empty: no keys. */
  keys: ReadonlyMap<string, string>;
  /** The interface the HTTP server binds. Without keys it is always a loopback address. */
  host: string;
  /** Whether POST /tasks accepts tasks (HTTP_INTAKE=false in AMQP mode: RabbitMQ is the one intake). */
  intake: boolean;
  /** Requests per key (or per client address without keys) per minute. 0: no limit. */
  ratePerMinute: number;
  /** Origins allowed by CORS; empty: CORS is off (no Access-Control headers). */
  corsOrigins: string[];
}

export const ALL_TENANTS = "*";

export const HttpAccessEnv = z.object({
  API_KEYS: optionalString,
  API_KEYS_FILE: optionalString,
  HTTP_HOST: optionalString,
  HTTP_INTAKE: booleanVar(true),
  RATE_LIMIT_PER_MINUTE: intVar(600, 0, 1_000_000),
  CORS_ORIGINS: listVar(z.string().url("must be origins like https://app.example.com"), []),
});
export type HttpAccessEnv = z.infer<typeof HttpAccessEnv>;

const isLoopback = (host: string) => host === "localhost" || host === "::1" || (isIP(host) === 4 && host.startsWith("127."));
const KEY = /^[A-Za-z0-9._~+/=-]{16,256}$/;
const TENANT = /^(\*|[A-Za-z0-9._-]{1,128})$/;

/** Parses the access settings; returns the problem (variable and message) instead of throwing, so
 * loadConfig reports it like any other bad variable. `readFile` is injected for tests. */
export function httpAccessFrom(e: HttpAccessEnv, readFile: (path: string) => string = (p) => readFileSync(p, "utf8")): HttpAccess | { variable: string; message: string } {
  const keys = new Map<string, string>();
  const add = (variable: string, key: string, tenant: string): { variable: string; message: string } | null => {
    if (!KEY.test(key)) return { variable, message: "each key must be 16–256 characters of A–Z a–z 0–9 . _ ~ + / = -" };
    if (!TENANT.test(tenant)) return { variable, message: `tenant of key …${key.slice(-4)} must be a tenant id or *` };
    keys.set(key, tenant);
    return null;
  };
  for (const pair of (e.API_KEYS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const at = pair.lastIndexOf(":");
    if (at <= 0) return { variable: "API_KEYS", message: "must be comma-separated key:tenant_id pairs (tenant * for an operator's key)" };
    const problem = add("API_KEYS", pair.slice(0, at), pair.slice(at + 1));
    if (problem) return problem;
  }
  if (e.API_KEYS_FILE !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFile(e.API_KEYS_FILE));
    } catch (error) {
      return { variable: "API_KEYS_FILE", message: `must be a readable JSON file {"<key>": "<tenant_id>"}: ${(error as Error).message}` };
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return { variable: "API_KEYS_FILE", message: 'must hold a JSON object {"<key>": "<tenant_id>"}' };
    for (const [key, tenant] of Object.entries(parsed)) {
      const problem = add("API_KEYS_FILE", key, String(tenant));
      if (problem) return problem;
    }
  }
  const host = e.HTTP_HOST ?? (keys.size > 0 ? "0.0.0.0" : "127.0.0.1");
  if (keys.size === 0 && !isLoopback(host)) {
    return { variable: "HTTP_HOST", message: `${host} is not a loopback address: without API_KEYS the HTTP API listens on loopback only (set API_KEYS or API_KEYS_FILE to listen on ${host})` };
  }
  return { keys, host, intake: e.HTTP_INTAKE, ratePerMinute: e.RATE_LIMIT_PER_MINUTE, corsOrigins: e.CORS_ORIGINS };
}
