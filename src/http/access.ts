import { createHash } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { ALL_TENANTS, type HttpAccess } from "../config/http-access.ts";
import type { RateLimiter } from "./rate-limit.ts";

/** The tenant a request acts for: a tenant id, "*" for an operator's key, or null when no keys
 * are configured (the API then listens on loopback only and everyone there is trusted). */
export type RequestTenant = string | null;

declare module "hono" {
  interface ContextVariableMap {
    tenant: RequestTenant;
  }
}

/** Paths anyone may read: probes and metrics for the orchestrator, pages and their assets (the
 * data they show comes from the API, which asks for a key), this API's own description. */
const OPEN = [/^\/health\//, /^\/metrics$/, /^\/$/, /^\/docs$/, /^\/openapi\.json$/, /^\/viewer\/modules\//, /^\/dashboard\/[\w.-]+$/];

const problem = (c: Context, status: 401 | 403 | 429, code: string, message: string) => c.json({ error: { code, message } }, status);

/** The key from `X-API-Key` or `Authorization: Bearer`; for GETs also `?api_key=` (EventSource and
 * the tileset viewer cannot set headers). */
function presentedKey(c: Context): string | undefined {
  const header = c.req.header("x-api-key") ?? /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
  return header ?? (c.req.method === "GET" ? c.req.query("api_key") : undefined);
}

/** Authenticates every request that is not open, then counts it against its key's rate limit. */
export function accessControl(access: HttpAccess, limiter: RateLimiter | null): MiddlewareHandler {
  return async (c, next) => {
    c.set("tenant", null);
    const open = OPEN.some((re) => re.test(c.req.path));
    let rateKey: string;
    if (access.keys.size > 0 && !open) {
      const key = presentedKey(c);
      if (key === undefined) return problem(c, 401, "UNAUTHORIZED", "an API key is required: X-API-Key or Authorization: Bearer");
      const tenant = access.keys.get(key);
      if (tenant === undefined) return problem(c, 401, "UNAUTHORIZED", "unknown API key");
      c.set("tenant", tenant);
      // never the key itself in Redis
      rateKey = `key:${createHash("sha256").update(key).digest("hex").slice(0, 24)}`;
    } else {
      rateKey = `addr:${c.req.header("x-forwarded-for")?.split(",")[0]?.trim() ?? "local"}`;
    }
    if (limiter && !open) {
      const verdict = await limiter.hit(rateKey);
      if (!verdict.allowed) {
        c.header("Retry-After", String(verdict.retryAfterSeconds));
        return problem(c, 429, "RATE_LIMITED", `too many requests: retry after ${verdict.retryAfterSeconds} s`);
      }
    }
    await next();
  };
}

/** Whether the request's tenant may see a task of `taskTenant`. Another tenant's task is answered
 * as if it did not exist (404), so ids of other tenants cannot be probed. */
export function mayAccess(tenant: RequestTenant, taskTenant: string | undefined): boolean {
  return tenant === null || tenant === ALL_TENANTS || tenant === taskTenant;
}
