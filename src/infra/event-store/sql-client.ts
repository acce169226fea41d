/** The little SQL surface the event store needs, so one implementation runs on PGlite and on a
 * PostgreSQL server. Rows come back as plain objects; values the drivers disagree on (int8,
 * timestamps) are cast in SQL so both give the same JS types. */

export interface SqlExecutor {
  query<R extends object>(text: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface SqlClient extends SqlExecutor {
  /** Runs `fn` in one transaction on one connection: commit on resolve, rollback on throw. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** True when no two transactions ever run at once (PGlite: one connection, each transaction held
   * exclusively), so appends need no lock of their own to commit one after another. */
  readonly exclusiveTransactions?: boolean;
  /** LISTENs on a lowercase channel; resolves to an unlisten function. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
