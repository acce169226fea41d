/** The event store URL is the client's own connection string (`kurrentdb://host:2113?tls=false`,
 * `kurrentdb+discover://…` for DNS/gossip discovery, credentials as `user:pass@`), so operators can
 * paste what KurrentDB's docs show. These helpers only pick it out and tidy it. */

/** Every scheme the client's parser accepts; `esdb` is EventStoreDB's older spelling. */
const CLIENT_SCHEMES = ["kurrentdb", "kurrent", "kdb", "esdb"] as const;

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

function schemeOf(url: string): string | undefined {
  return SCHEME.exec(url)?.[1]?.toLowerCase();
}

/** True for URLs the KurrentDB adapter opens: `<scheme>://` or `<scheme>+discover://`. */
export function isKurrentDbUrl(url: string): boolean {
  const scheme = schemeOf(url);
  if (scheme === undefined) return false;
  const base = scheme.endsWith("+discover") ? scheme.slice(0, -"+discover".length) : scheme;
  return (CLIENT_SCHEMES as readonly string[]).includes(base);
}

/** The connection string handed to the client. `esdb://` is rewritten to `kurrentdb://`: the
 * client accepts both but prints a deprecation warning on every `esdb://` parse, which would land
 * in the service's stdout (its structured log) as a stray line. */
export function toConnectionString(url: string): string {
  if (!isKurrentDbUrl(url)) {
    throw new Error(`not a KurrentDB connection string: ${JSON.stringify(redactUrl(url))} (use kurrentdb://host:2113?tls=false or kurrentdb+discover://…)`);
  }
  return url.replace(SCHEME, (_, scheme: string) => `${scheme.toLowerCase().replace(/^esdb/, "kurrentdb")}://`);
}

/** The URL with any password masked, for error messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*):[^@/]*@/i, "$1:***@");
}
