import type { Config } from "../config/config.ts";

/** The running service's HTTP API, for the CLI when the service holds the store (embedded mode
 * locks DATA_DIR): the same reads and actions, through the process that owns them. */
export interface ServiceApi {
  readonly url: string;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
}

/** A refusal or an unreachable service, worded for one stderr line. */
export class ServiceApiError extends Error {
  override readonly name = "ServiceApiError";
  readonly status: number | null;
  constructor(message: string, status: number | null) {
    super(message);
    this.status = status;
  }
}

/** Where the service listens: VS3D_URL / --url, else HTTP_PORT on loopback (a service bound to all
 * interfaces is reachable there too). The key: --api-key, else VS3D_API_KEY. */
export function serviceApi(config: Pick<Config, "httpPort" | "http">, o: { url?: string | undefined; apiKey?: string | undefined }, env: Record<string, string | undefined>): ServiceApi {
  const host = ["0.0.0.0", "::", ""].includes(config.http.host) ? "127.0.0.1" : config.http.host;
  const url = (o.url ?? (env.VS3D_URL?.trim() || undefined) ?? `http://${host.includes(":") ? `[${host}]` : host}:${config.httpPort}`).replace(/\/$/, "");
  const apiKey = o.apiKey ?? (env.VS3D_API_KEY?.trim() || undefined);
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = { ...(apiKey ? { "x-api-key": apiKey } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) };
    let res: Response;
    try {
      res = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }), signal: AbortSignal.timeout(15_000) });
    } catch (error) {
      throw new ServiceApiError(`the service's HTTP API at ${url} is not reachable (${reasonOf(error)}); set VS3D_URL or --url`, null);
    }
    const text = await res.text();
    const json = (() => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    })();
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      const hint = res.status === 401 || res.status === 403 ? " (set VS3D_API_KEY or --api-key)" : "";
      throw new ServiceApiError(`${url}${path} answered ${res.status}${err ? ` ${err.code}: ${err.message}` : ""}${hint}`, res.status);
    }
    return json as T;
  };
  return { url, get: (path) => call("GET", path), post: (path, body) => call("POST", path, body) };
}

/** fetch's "fetch failed" hides the reason (ECONNREFUSED, a timeout) in its cause. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? error.cause.message : error.message;
}
