import { BlockList, isIP } from "node:net";

/** Which webhook hosts are allowed beyond the public Internet. */
export interface WebhookUrlPolicy {
  /** Hostnames (or IP literals) allowed even when private; compared lowercase. */
  allowedHosts: readonly string[];
  /** Every private, loopback and link-local address is allowed. */
  allowPrivate: boolean;
}

/** Addresses a webhook must not reach unless allowed: the service would otherwise be an SSRF tool
 * into its own network (metadata endpoints, the broker's admin, Redis, the database). */
const NOT_PUBLIC = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  NOT_PUBLIC.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b:1::", 48],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const)
  NOT_PUBLIC.addSubnet(net, bits, "ipv6");

// Kept apart: a BlockList checks IPv4 addresses as IPv4-mapped IPv6 too, so this range in
// NOT_PUBLIC would refuse every IPv4 address.
const MAPPED = new BlockList();
MAPPED.addSubnet("::ffff:0:0", 96, "ipv6");

/** A public unicast address? IPv4-mapped IPv6 counts as not public (it is how a v4 ban is dodged). */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6 && MAPPED.check(address, "ipv6")) return false;
  return !NOT_PUBLIC.check(address, family === 4 ? "ipv4" : "ipv6");
}

// `localhost.` is `localhost`: a trailing dot only makes the name absolute.
const bare = (hostname: string) =>
  hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.+$/, "")
    .toLowerCase();

/** The host as a policy sees it, when it is allowed whatever it resolves to. */
export function isAllowedHost(hostname: string, policy: WebhookUrlPolicy): boolean {
  return policy.allowPrivate || policy.allowedHosts.includes(bare(hostname));
}

/** Why this webhook URL is refused, or null. Checks what the URL itself says (scheme, credentials,
 * an IP literal or a local name); what a hostname resolves to is checked again on every POST
 * (see `guardedLookup`), since DNS can change after a task was accepted. */
export function webhookUrlRefusal(url: string, policy: WebhookUrlPolicy): string | null {
  if (!URL.canParse(url)) return "is not a URL";
  const u = new URL(url);
  if (u.protocol !== "http:" && u.protocol !== "https:") return `uses ${u.protocol.replace(/:$/, "")}: only http and https are allowed`;
  if (u.username !== "" || u.password !== "") return "must not carry user:password@ (webhooks are signed instead)";
  const host = bare(u.hostname);
  if (host === "") return "has no host";
  if (isAllowedHost(host, policy)) return null;
  if (isIP(host) !== 0) return isPublicAddress(host) ? null : `names ${host}, a private, loopback or link-local address (allow it with WEBHOOK_ALLOWED_HOSTS or WEBHOOK_ALLOW_PRIVATE=true)`;
  if (host === "localhost" || host.endsWith(".localhost") || !host.includes(".")) return `names ${host}, a local name (allow it with WEBHOOK_ALLOWED_HOSTS)`;
  return null;
}
