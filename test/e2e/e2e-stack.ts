import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createS3Storage } from "../../src/infra/storage/s3-storage.ts";
import { freshDatabase, freshVhost, platformSide, type PlatformSide } from "../helpers/amqp.ts";
import { platformTaskMessage, productionEnv } from "../helpers/platform-stack.ts";
import { REPO_ROOT } from "../helpers/fixtures.ts";
import { startS3rver } from "../helpers/s3rver.ts";
import { startServiceProcess, waitFor, type ServiceProcess } from "../helpers/service-process.ts";

/** Everything a production node talks to, for one test: real RabbitMQ, Redis and PostgreSQL (a
 * fresh database), s3rver, and the service as a child process. */
export interface E2eStack {
  env: Record<string, string>;
  platform: PlatformSide;
  storage: ReturnType<typeof createS3Storage>;
  start(extraEnv?: Record<string, string>): Promise<ServiceProcess>;
  /** Every started process's log, for a failure message. */
  logs(): string;
  taskMessage(overrides?: Record<string, unknown>): Record<string, unknown> & { task_id: string };
  close(): Promise<void>;
}

export async function e2eStack(options: { slowProcessors?: boolean } = {}): Promise<E2eStack> {
  const root = await mkdtemp(join(tmpdir(), "vs3d-e2e-"));
  const s3 = await startS3rver(["in", "out", "health"]);
  const db = await freshDatabase();
  const vhost = await freshVhost();
  const platform = await platformSide(vhost.url);
  const storage = createS3Storage(s3.clientOptions);
  const env: Record<string, string> = {
    ...productionEnv({ amqpUrl: vhost.url, eventStoreUrl: db.url, s3 }),
    WORK_DIR: join(root, "work"),
    DATA_DIR: join(root, "data"),
    ...(options.slowProcessors ? { PROCESSOR_MODULES: join(REPO_ROOT, "test", "fixtures", "test-processors.ts") } : {}),
  };
  const started: ServiceProcess[] = [];
  return {
    env,
    platform,
    storage,
    async start(extraEnv = {}) {
      const svc = await startServiceProcess({ ...env, ...extraEnv });
      started.push(svc);
      // Live is not enough: the topology must exist and the consumers run before the platform publishes.
      await waitFor(
        "readiness",
        () =>
          fetch(`${svc.url}/health/ready`).then(
            (r) => r.ok,
            () => false,
          ),
        30_000,
      );
      return svc;
    },
    logs: () => started.map((s, i) => `--- service #${i + 1} ---\n${s.logs()}`).join("\n"),
    taskMessage: (overrides = {}) => platformTaskMessage(randomUUID(), platform.callbackQueue, overrides),
    async close() {
      for (const svc of started) {
        if (svc.process.exitCode === null) svc.process.kill("SIGKILL");
        await svc.process;
      }
      await platform.close();
      await vhost.drop();
      storage.client.destroy();
      await s3.stop();
      await db.drop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** GET /tasks/:id/events as a list of {type, data}. */
export async function taskEvents(url: string, taskId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const r = await fetch(`${url}/tasks/${taskId}/events`);
  return r.ok ? ((await r.json()) as { events: { type: string; data: Record<string, unknown> }[] }).events : [];
}
