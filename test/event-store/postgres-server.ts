import { randomBytes } from "node:crypto";
import pg from "pg";

/** The test server; scripts/test.sh starts one when missing. */
export const POSTGRES_URL = process.env.VS3D_TEST_POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test";

/** Fails with a message that says what to do, instead of a bare ECONNREFUSED in every case. */
export async function assertPostgresReachable(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${POSTGRES_URL} (${(error as Error).message}); start it (scripts/test.sh does) or set VS3D_TEST_POSTGRES_URL`);
  } finally {
    await client.end().catch(() => {});
  }
}

/** A schema name no other test run uses, so runs and cases can share the server. */
export function randomSchema(label: string): string {
  return `t_${label}_${randomBytes(6).toString("hex")}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
