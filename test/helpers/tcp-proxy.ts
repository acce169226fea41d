import { connect, createServer, type Server, type Socket } from "node:net";
import { once } from "node:events";

/** A TCP proxy on 127.0.0.1 in front of one shared server (PostgreSQL, Redis, S3…), so a test can
 * cut a dependency away from one service and bring it back — an outage of its own — without
 * restarting the machine's servers that other tests use. `cut()` drops every open connection and,
 * until `restore()`, resets each new one at once (what a client sees while a server restarts). */
export interface TcpProxy {
  port: number;
  /** The target URL with host and port replaced by the proxy's. */
  url(targetUrl: string): string;
  cut(): void;
  restore(): void;
  /** Connections accepted (and forwarded or reset) so far: evidence that the client tried. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let down = false;
  let connections = 0;
  const server: Server = createServer((client) => {
    connections += 1;
    if (down) return void client.destroy();
    const upstream = connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url(targetUrl) {
      const u = new URL(targetUrl);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    cut() {
      down = true;
      for (const s of open) s.destroy();
      open.clear();
    },
    restore() {
      down = false;
    },
    get connections() {
      return connections;
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** host and port of a service URL (postgres://, redis://, http://). */
export function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  const defaults: Record<string, number> = { "postgres:": 5432, "postgresql:": 5432, "redis:": 6379, "amqp:": 5672, "http:": 80 };
  return { host: u.hostname, port: u.port ? Number(u.port) : (defaults[u.protocol] ?? 80) };
}
