/** Errors of a store that is away for a moment (a PostgreSQL restart, a failover, a dropped
 * connection): worth retrying the same append. Anything else — a revision conflict, a refused
 * event, a syntax error — is an answer, not an outage. */

const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND"]);

/** SQLSTATE classes and codes of a server going away or not yet accepting: 08 connection
 * exception, 57P01–57P03 admin/crash shutdown and "cannot connect now", 53300 too many
 * connections, 40001/40P01 serialization failure and deadlock (the transaction rolled back). */
const SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300", "40001", "40P01"]);

const MESSAGES =
  /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Connection ended|the database system is (starting up|shutting down|in recovery)|terminating connection|server closed the connection|socket hang up/i;

/** KurrentDB client errors of a node that is away or not the leader right now. */
const KURRENT_NAMES = new Set(["UnavailableError", "DeadlineExceededError", "NotLeaderError"]);

export function isTransientStoreError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message, name } = e as { code?: unknown; message?: unknown; name?: unknown };
    if (typeof name === "string" && KURRENT_NAMES.has(name)) return true;
    if (typeof code === "string" && (SOCKET_CODES.has(code) || SQLSTATES.has(code) || code.startsWith("08"))) return true;
    if (typeof message === "string" && MESSAGES.test(message)) return true;
  }
  return false;
}
