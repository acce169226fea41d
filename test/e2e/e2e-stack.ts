import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createS3Storage } from "../../src/infra/storage/s3-storage.ts";
import { freshDatabase, freshVhost, platformSide, REDIS_URL, type PlatformSide } from "../helpers/amqp.ts";
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
    AMQP_URL: vhost.url,
    REDIS_URL,
    EVENT_STORE_URL: db.url,
    S3_ENDPOINT: s3.endpoint,
    AWS_ACCESS_KEY_ID: s3.clientOptions.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.clientOptions.credentials.secretAccessKey,
    AWS_REGION: s3.clientOptions.region,
    S3_FORCE_PATH_STYLE: "true",
    WORK_DIR: join(root, "work"),
    DATA_DIR: join(root, "data"),
    RETRY_DELAYS_SECONDS: "1,2",
    SHUTDOWN_GRACE_SECONDS: "10",
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
      await waitFor("readiness", () => fetch(`${svc.url}/health/ready`).then((r) => r.ok, () => false), 30_000);
      return svc;
    },
    logs: () => started.map((s, i) => `--- service #${i + 1} ---\n${s.logs()}`).join("\n"),
    taskMessage(overrides = {}) {
      const id = randomUUID();
      const tenant = randomUUID();
      return {
        task_id: id,
        tenant_id: tenant,
        file_id: randomUUID(),
        task_type: "image_thumbnail",
        priority: 5,
        submitted_at: new Date().toISOString(),
        source: { bucket: "in", key: `tenants/${tenant}/files/photo.jpg`, format: "jpg" },
        destination: { bucket: "out", base_key: `tenants/${tenant}/processed/${id}/` },
        params: {},
        webhook: { callback_queue: platform.callbackQueue },
        retry: { attempt: 1, max_attempts: 3 },
        ...overrides,
      };
    },
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
