import type { CheckpointStore } from "../../ports/checkpoint-store.port.ts";
import type { SchemaNames } from "./event-store.schema.ts";
import type { SqlExecutor } from "./sql-client.ts";

/** Checkpoints in the store's own schema, so a checkpoint and the events it points into share a
 * database (and a backup). Positions travel as text: drivers disagree on int8. */
export function createSqlCheckpointStore(client: SqlExecutor, names: SchemaNames): CheckpointStore {
  return {
    async load(name) {
      checkName(name);
      const [row] = await client.query<{ position_text: string }>(`SELECT position::text AS position_text FROM ${names.checkpoints} WHERE name = $1`, [name]);
      return row === undefined ? null : BigInt(row.position_text);
    },

    async save(name, position) {
      checkName(name);
      if (typeof position !== "bigint" || position < 0n) throw new RangeError(`checkpoint ${name}: position must be a non-negative bigint, got ${String(position)}`);
      // GREATEST: a leader that lost its lock may still finish a save; it must not rewind the new one.
      await client.query(
        `INSERT INTO ${names.checkpoints} (name, position) VALUES ($1, $2::bigint)
         ON CONFLICT (name) DO UPDATE SET position = GREATEST(${names.checkpoints}.position, excluded.position), updated_at = now()`,
        [name, position.toString()],
      );
    },
  };
}

function checkName(name: string): void {
  if (typeof name !== "string" || name.length === 0 || name.length > 200) throw new RangeError(`checkpoint name must be 1–200 characters, got ${JSON.stringify(name)}`);
}
