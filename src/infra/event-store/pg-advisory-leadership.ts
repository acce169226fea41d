import pg from "pg";
import { leadershipLoop, type Lease } from "./leadership-loop.ts";
import type { ClosableLeadership } from "./in-process-leadership.ts";

export interface PgAdvisoryLeadershipOptions {
  connectionString: string;
  /** Lock names are scoped to this schema, so stores in different schemas never contend. */
  schema: string;
  /** Wait between attempts to take a lock another node holds: the takeover delay after the holder
   * dies is at most this (plus the server noticing the dead connection). Default: 2000. */
  retryIntervalMs?: number;
  /** How often the lock connection is checked while open; a failed check counts as a lost lock.
   * Default: 5000. */
  heartbeatIntervalMs?: number;
  /** A check (or a lock query) slower than this fails. Default: 5000. */
  queryTimeoutMs?: number;
  /** Gets connection and lock errors (all of them are retried). Default: ignore. */
  onError?: (error: unknown, name: string) => void;
}

export const PG_ADVISORY_LEADERSHIP_DEFAULTS = { retryIntervalMs: 2000, heartbeatIntervalMs: 5000, queryTimeoutMs: 5000 } as const;

interface Session {
  client: pg.Client;
  lost: AbortController;
}

/** Leadership over PostgreSQL session advisory locks, held on one dedicated connection (never a
 * pooled one: a session lock must live exactly as long as its connection). When this process dies
 * the server closes the connection and frees the locks, so another node takes over. Session locks
 * are re-entrant within a connection, so a local set keeps two run() calls here exclusive too. */
export function createPgAdvisoryLeadership(options: PgAdvisoryLeadershipOptions): ClosableLeadership {
  const retryIntervalMs = options.retryIntervalMs ?? PG_ADVISORY_LEADERSHIP_DEFAULTS.retryIntervalMs;
  const heartbeatMs = options.heartbeatIntervalMs ?? PG_ADVISORY_LEADERSHIP_DEFAULTS.heartbeatIntervalMs;
  const queryTimeoutMs = options.queryTimeoutMs ?? PG_ADVISORY_LEADERSHIP_DEFAULTS.queryTimeoutMs;
  const onError = options.onError ?? (() => {});
  const closing = new AbortController();
  const held = new Set<string>();
  let current: Promise<Session> | null = null;

  function drop(session: Session, reason: unknown): void {
    if (session.lost.signal.aborted) return;
    session.lost.abort(reason);
    current = null;
    session.client.end().catch(() => {});
  }

  async function openSession(): Promise<Session> {
    const client = new pg.Client({
      connectionString: options.connectionString,
      application_name: `vs3d-leadership:${options.schema}`,
      keepAlive: true,
      query_timeout: queryTimeoutMs,
      connectionTimeoutMillis: queryTimeoutMs,
    });
    const session: Session = { client, lost: new AbortController() };
    client.on("error", (error) => drop(session, error));
    client.on("end", () => drop(session, new Error("leadership connection closed")));
    await client.connect();
    const heartbeat = setInterval(() => {
      client.query("SELECT 1").catch((error: unknown) => drop(session, error));
    }, heartbeatMs);
    heartbeat.unref();
    session.lost.signal.addEventListener("abort", () => clearInterval(heartbeat), { once: true });
    return session;
  }

  function session(): Promise<Session> {
    if (current === null) {
      const opening = openSession();
      current = opening;
      opening.catch(() => {
        if (current === opening) current = null;
      });
    }
    return current;
  }

  const leadership = leadershipLoop(
    {
      async tryAcquire(name): Promise<Lease | null> {
        if (held.has(name) || closing.signal.aborted) return null;
        held.add(name);
        let s: Session | undefined;
        let ok: boolean;
        try {
          s = await session();
          const [row] = (await s.client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS ok", [options.schema, name])).rows;
          ok = row?.ok === true;
        } catch (error) {
          held.delete(name);
          // A timed-out lock query may still have taken the lock on the server; only ending the
          // connection is sure to free it.
          if (s) drop(s, error);
          throw error;
        }
        if (!ok) {
          held.delete(name);
          return null;
        }
        return {
          lost: s.lost.signal,
          release: async () => {
            held.delete(name);
            if (!s.lost.signal.aborted) await s.client.query("SELECT pg_advisory_unlock(hashtext($1), hashtext($2))", [options.schema, name]);
          },
        };
      },
    },
    { retryIntervalMs, closed: closing.signal, onError },
  );

  return {
    run: leadership.run,
    async close() {
      closing.abort(new Error("leadership closed"));
      const open = await current?.catch(() => null);
      if (open) {
        open.lost.abort(new Error("leadership closed"));
        current = null;
        await open.client.end().catch(() => {});
      }
    },
  };
}
