import { KurrentDBClient } from "@kurrent/kurrentdb-client";
import { isStreamNotFound } from "./kurrentdb-errors.ts";
import { createKurrentDbEventStore, KURRENTDB_EVENT_STORE_DEFAULTS, type KurrentDbEventStore, type KurrentDbEventStoreOptions } from "./kurrentdb-event-store.ts";
import { redactUrl, toConnectionString } from "./kurrentdb-url.ts";

/** Opens the store at a KurrentDB connection string (`kurrentdb://host:2113?tls=false`,
 * `kurrentdb+discover://…`, `esdb://…`). The client connects lazily, so one read is made here:
 * a wrong host, port, TLS setting or password fails at start-up with the URL (password hidden),
 * not at the first task. */
export async function openKurrentDbEventStore(url: string, options: KurrentDbEventStoreOptions = {}): Promise<KurrentDbEventStore> {
  const client = KurrentDBClient.connectionString(toConnectionString(url));
  try {
    const probe = client.readStream(`${options.internalPrefix ?? KURRENTDB_EVENT_STORE_DEFAULTS.internalPrefix}probe`, {
      maxCount: 1,
      deadline: options.deadlineMs ?? KURRENTDB_EVENT_STORE_DEFAULTS.deadlineMs,
    });
    for await (const _ of probe) break;
  } catch (error) {
    if (!isStreamNotFound(error)) {
      await client.dispose().catch(() => {});
      throw new Error(`the KurrentDB adapter cannot open the event store at ${redactUrl(url)}: ${describe(error)}`, { cause: error });
    }
  }
  return createKurrentDbEventStore(client, options);
}

/** The client's bare "UnavailableError" says little; the usual causes say more. */
function describe(error: unknown): string {
  const { type, message } = (error ?? {}) as { type?: unknown; message?: unknown };
  if (type === "unavailable") return `${String(message)} (no server answered: check host, port and that tls= matches the server)`;
  if (type === "access-denied") return `${String(message)} (check the user and password in the URL)`;
  return String(message ?? error);
}
