import type { SqlClient } from "./sql-client.ts";

/** Schema names are spliced into SQL, so only plain lowercase identifiers are accepted. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,47}$/;

export const DEFAULT_SCHEMA = "event_store";

export interface SchemaNames {
  schema: string;
  events: string;
  streams: string;
  /** Projection checkpoints live next to the events they point into. */
  checkpoints: string;
  /** NOTIFY channel woken on every append to this schema. */
  channel: string;
}

export function schemaNames(schema: string): SchemaNames {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`invalid event store schema name ${JSON.stringify(schema)}: use lowercase letters, digits and _`);
  }
  return { schema, events: `"${schema}".events`, streams: `"${schema}".streams`, checkpoints: `"${schema}".projection_checkpoints`, channel: `${schema}_appended` };
}

/** Idempotent, and safe when several processes open the same database at once: CREATE ... IF
 * NOT EXISTS alone can still race on the catalog, so the DDL runs under an advisory lock. */
export async function ensureSchema(client: SqlClient, names: SchemaNames): Promise<void> {
  await client.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`${names.schema}:ddl`]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS "${names.schema}"`);
    // COLLATE "C" lets the btree indexes serve `LIKE 'prefix%'` for category reads.
    await tx.query(`CREATE TABLE IF NOT EXISTS ${names.events} (
      position   bigint PRIMARY KEY,
      id         uuid NOT NULL UNIQUE,
      stream_id  text COLLATE "C" NOT NULL,
      revision   integer NOT NULL,
      type       text NOT NULL,
      data       jsonb NOT NULL,
      metadata   jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (stream_id, revision)
    )`);
    await tx.query(`CREATE TABLE IF NOT EXISTS ${names.streams} (
      stream_id text COLLATE "C" PRIMARY KEY,
      revision  integer NOT NULL,
      position  bigint NOT NULL
    )`);
    await tx.query(`CREATE TABLE IF NOT EXISTS ${names.checkpoints} (
      name       text PRIMARY KEY,
      position   bigint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  });
}
