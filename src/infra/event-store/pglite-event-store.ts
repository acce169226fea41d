import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pgliteSqlClient } from "./pglite-sql-client.ts";
import { createSqlEventStore, type SqlEventStore, type SqlEventStoreOptions } from "./sql-event-store.ts";

export interface PgliteEventStoreOptions extends SqlEventStoreOptions {
  /** A data directory (created if missing), or "memory://" for a throwaway in-memory store. */
  dataDir: string;
}

/** The embedded default (DESIGN.md §6): PostgreSQL in WASM, no server. One process may open a
 * data directory at a time. */
export async function createPgliteEventStore(options: PgliteEventStoreOptions): Promise<SqlEventStore> {
  const { dataDir, ...storeOptions } = options;
  const inMemory = dataDir.startsWith("memory://");
  // PGlite creates the directory itself but not its parents.
  if (!inMemory) await mkdir(dirname(resolve(dataDir)), { recursive: true });
  const db = await PGlite.create(inMemory ? dataDir : resolve(dataDir));
  try {
    return await createSqlEventStore(pgliteSqlClient(db), storeOptions);
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}
