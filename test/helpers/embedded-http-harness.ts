/** An embedded service in this process (PGlite + local storage + the test processors), with the HTTP
 * app on top: the real composition root, without the cost of a child process per test. */
import { loadConfig } from "../../src/config/config.ts";
import { createHttpApp } from "../../src/http/app.ts";
import { silentLogger } from "../../src/infra/logger.ts";
import type { ProgressBus } from "../../src/ports/progress-bus.port.ts";
import type { ObjectStorage } from "../../src/ports/storage.port.ts";
import { createLocalStorage } from "../../src/infra/storage/local-storage.ts";
import { createService, type Service, type ServiceOverrides } from "../../src/service/service.ts";
import { embeddedEnv, taskMessage } from "./embedded-env.ts";

export interface Harness {
  service: Service;
  app: ReturnType<typeof createHttpApp>;
  sandbox: Awaited<ReturnType<typeof embeddedEnv>>;
  post(body: unknown): Promise<Response>;
  view(taskId: string): Promise<{ state: string; error: { code: string } | null; attempt: number }>;
  waitSettled(taskId: string, timeoutMs?: number): Promise<{ state: string; error: { code: string } | null }>;
  close(): Promise<void>;
}

export async function startHarness(
  o: {
    env?: Record<string, string>;
    overrides?: ServiceOverrides;
    bus?: (real: ProgressBus) => ProgressBus;
    /** Wraps the sandbox's real local storage (a slow link, say). */
    storage?: (real: ObjectStorage) => ObjectStorage;
  } = {},
): Promise<Harness> {
  const sandbox = await embeddedEnv();
  await sandbox.put("in", "files/input.bin", "hello");
  const env = { ...sandbox.env, ...o.env };
  const storage = o.storage ? { storage: o.storage(createLocalStorage({ rootDir: env.STORAGE_DIR! })) } : {};
  const service = await createService(loadConfig(env), silentLogger(), { workerMode: "inline", ...storage, ...o.overrides }, env);
  const app = createHttpApp({
    host: service.host,
    store: service.store,
    bus: o.bus ? o.bus(service.bus) : service.bus,
    readiness: () => Promise.resolve({}),
  });
  const post = async (body: unknown): Promise<Response> => app.request("/tasks", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const view = async (taskId: string) => (await (await app.request(`/tasks/${taskId}`)).json()) as { state: string; error: { code: string } | null; attempt: number };
  return {
    service,
    app,
    sandbox,
    post,
    view,
    async waitSettled(taskId, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = await view(taskId);
        if (["completed", "failed", "dead_lettered", "cancelled"].includes(v.state)) return v;
        if (Date.now() > deadline) throw new Error(`task ${taskId} did not settle: ${v.state}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      await service.host.shutdown(2000);
      await service.close();
    },
  };
}

export { taskMessage };
