import { randomUUID } from "node:crypto";
import { REDIS_URL } from "./amqp.ts";
import type { startS3rver } from "./s3rver.ts";

/** The environment of a production-mode node on this machine's servers: RabbitMQ (a vhost of the
 * test's own), Redis, PostgreSQL (a fresh database) and an s3rver; short retry delays. */
export function productionEnv(parts: { amqpUrl: string; eventStoreUrl: string; s3: Awaited<ReturnType<typeof startS3rver>> }): Record<string, string> {
  const { s3 } = parts;
  return {
    AMQP_URL: parts.amqpUrl,
    REDIS_URL,
    EVENT_STORE_URL: parts.eventStoreUrl,
    S3_ENDPOINT: s3.endpoint,
    AWS_ACCESS_KEY_ID: s3.clientOptions.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.clientOptions.credentials.secretAccessKey,
    AWS_REGION: s3.clientOptions.region,
    S3_FORCE_PATH_STYLE: "true",
    RETRY_DELAYS_SECONDS: "1,2",
    SHUTDOWN_GRACE_SECONDS: "10",
  };
}

/** A task message as the platform publishes it: a thumbnail of `photo.jpg` in the tenant's files,
 * outputs below its own processed folder, results to `callbackQueue`. */
export function platformTaskMessage(tenant: string, callbackQueue: string, overrides: Record<string, unknown> = {}): Record<string, unknown> & { task_id: string } {
  const id = randomUUID();
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
    webhook: { callback_queue: callbackQueue },
    retry: { attempt: 1, max_attempts: 3 },
    ...overrides,
  };
}
