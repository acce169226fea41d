import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { PACKAGE_VERSION } from "../http/package-version.ts";
import { isAllowedHost, isPublicAddress, type WebhookUrlPolicy } from "./webhook-url-policy.ts";

/** What one POST came to: the receiver's status, or why there was none. */
export interface PostOutcome {
  status?: number;
  error?: string;
  durationMs: number;
}

export interface PostWebhookOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  policy: WebhookUrlPolicy;
  signal?: AbortSignal;
}

/** POSTs once; never throws. Redirects are not followed (a 3xx is a failed attempt: following one
 * would let a receiver point the service anywhere), the answer's body is not read, and the host's
 * addresses are checked when it is resolved, so a name that resolves to a private address is
 * refused at connection time and the checked address is the one connected to. */
export function postWebhook(o: PostWebhookOptions): Promise<PostOutcome> {
  const started = performance.now();
  const url = new URL(o.url);
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Omit<PostOutcome, "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener("abort", onAbort);
      resolve({ ...r, durationMs: Math.round(performance.now() - started) });
    };
    const req = request(url, {
      method: "POST",
      headers: { ...o.headers, "content-length": String(Buffer.byteLength(o.body)), "user-agent": `vision-s3d-converter/${PACKAGE_VERSION} (webhooks)` },
      lookup: guardedLookup(url.hostname, o.policy),
      agent: false,
    });
    req.on("response", (res) => {
      done({ status: res.statusCode ?? 0 });
      res.destroy();
    });
    req.on("error", (error) => done({ error: error.message }));
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
    const onAbort = () => req.destroy(new Error("delivery stopped (the service is stopping or lost the webhook lock)"));
    o.signal?.addEventListener("abort", onAbort, { once: true });
    req.end(o.body);
  });
}

/** dns.lookup that refuses private addresses for hosts the policy does not allow. */
function guardedLookup(hostname: string, policy: WebhookUrlPolicy): LookupFunction {
  const allowed = isAllowedHost(hostname, policy);
  return (host, options, callback) => {
    dnsLookup(host, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      const refused = allowed ? undefined : addresses.find((a) => !isPublicAddress(a.address));
      if (refused) return callback(new Error(`refused: ${host} resolves to ${refused.address}, a private, loopback or link-local address (allow it with WEBHOOK_ALLOWED_HOSTS)`), "", 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(new Error(`${host} has no address`), "", 0);
      callback(null, first.address, first.family);
    });
  };
}
