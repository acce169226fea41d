import type { Config } from "../config/config.ts";
import { openEventStore } from "../infra/event-store/index.ts";
import type { EventStore } from "../ports/event-store.port.ts";
import { acquireDataDirLock, StoreInUseError } from "../service/data-dir-lock.ts";

/** Runs `local` on the event store when this process may open it; when the running service holds it
 * (embedded mode locks DATA_DIR), runs `remote` instead, through the service that owns it. */
export async function withStoreOrService<T>(config: Config, local: (store: EventStore) => Promise<T>, remote: () => Promise<T>): Promise<T> {
  let release: () => Promise<void> = async () => {};
  if (config.eventStore.kind === "pglite") {
    try {
      release = await acquireDataDirLock(config.eventStore.dataDir);
    } catch (error) {
      if (error instanceof StoreInUseError) return remote();
      throw error;
    }
  }
  try {
    const store = await openEventStore(config.eventStore.kind === "pglite" ? config.eventStore.dataDir : config.eventStore.url);
    try {
      return await local(store);
    } finally {
      await store.close();
    }
  } finally {
    await release();
  }
}
