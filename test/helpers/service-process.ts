import { execa } from "execa";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { join } from "node:path";
import { REPO_ROOT } from "./fixtures.ts";
import { inheritedImports } from "../../src/actors/worker/inherited-imports.ts";

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  server.close();
  return port;
}

export interface ServiceProcess {
  url: string;
  process: ChildProcess & PromiseLike<unknown>;
  logs: () => string;
}

/** Starts the real service (`src/main.ts`) as a child process and waits for /health/live.
 * BENCH_SERVICE_NODE_ARGS adds Node flags to the service alone (not to this process, nor to its
 * workers), e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile a bench's service. */
export async function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const child = execa(process.execPath, [...(process.env.BENCH_SERVICE_NODE_ARGS ? process.env.BENCH_SERVICE_NODE_ARGS.split(" ") : []), ...inheritedImports(), join(REPO_ROOT, "src/main.ts")], {
    cwd: REPO_ROOT,
    env: { LOG_LEVEL: "info", HTTP_PORT: String(port), ...env },
    reject: false,
    buffer: false,
    stdout: "pipe",
    stderr: "pipe",
  });
  let logs = "";
  child.stdout?.on("data", (d: Buffer) => (logs += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (logs += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited early:\n${logs}`);
    const ok = await fetch(`${url}/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`service did not start:\n${logs}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, process: child as unknown as ServiceProcess["process"], logs: () => logs };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
