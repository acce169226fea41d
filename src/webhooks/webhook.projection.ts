import { randomUUID } from "node:crypto";
import { ZodError } from "zod";
import { parseStored } from "../actors/task-stream.ts";
import { webhookSecretFor, type WebhookSettings } from "../config/webhook-settings.ts";
import { TASK_STREAM_PREFIX, TaskEvent, type AuditEvent } from "../contracts/task-events.ts";
import type { Logger } from "../infra/logger.ts";
import type { CheckpointStore } from "../ports/checkpoint-store.port.ts";
import type { EventStore } from "../ports/event-store.port.ts";
import { RevisionConflictError } from "../ports/revision-conflict.error.ts";
import { createCheckpointWriter } from "../projections/checkpoint-writer.ts";
import type { ProjectionHooks } from "../projections/projection-stats.ts";
import { deliveryPlan, RESULT_EVENT_TYPES, type DeliveryPlan } from "./delivery-plan.ts";
import { createPendingDeliveries } from "./pending-deliveries.ts";
import { postWebhook, type PostOutcome } from "./post-webhook.ts";
import { retryDelayMs } from "./retry-schedule.ts";
import { signedWebhookHeaders } from "./webhook-signature.ts";
import { webhookUrlRefusal } from "./webhook-url-policy.ts";

export interface WebhookProjectionOptions {
  store: EventStore;
  checkpoints: CheckpointStore;
  settings: WebhookSettings;
  logger: Logger;
  /** Run only while this is not aborted (the leadership's signal). */
  signal: AbortSignal;
  /** Checkpoint name. Default: "projection:webhooks". */
  name?: string;
  /** POSTs in flight at once, over all tasks. Default: 8. */
  concurrency?: number;
  hooks?: ProjectionHooks;
  /** Default: Math.random (the retry jitter). */
  random?: () => number;
}

export const WEBHOOK_PROJECTION_DEFAULTS = { name: "projection:webhooks", concurrency: 8 } as const;

/** Delivers each settled result (completed, failed for good, cancelled) to its task's webhook.url,
 * signed, retried with backoff; a projection, so the task never waits for it. Each POST is recorded
 * as a WebhookDeliveryAttempted audit event in the task's stream: no runner owns a settled stream,
 * and the append's expected revision tells when one does again (a DLQ replay), which ends the
 * delivery of the old result. The checkpoint never passes a result still being delivered, so after
 * a restart the results after it are read again, and their audit events say what is left to do. */
export async function runWebhookProjection(o: WebhookProjectionOptions): Promise<void> {
  const name = o.name ?? WEBHOOK_PROJECTION_DEFAULTS.name;
  const random = o.random ?? Math.random;
  const after = await o.checkpoints.load(name);
  const stop = new AbortController();
  const abort = () => stop.abort();
  o.signal.addEventListener("abort", abort, { once: true });
  // The first error onFatal got, boxed: it may be any value, and only the box tells "none yet" from it.
  const first: { fatal: { error: unknown } | null } = { fatal: null };
  let handled: bigint | null = after;
  const writer = createCheckpointWriter({ checkpoints: o.checkpoints, name, onError: (error) => o.logger.warn({ err: error, projection: name }, "checkpoint save failed; will retry") });
  const save = async () => {
    const low = pending.lowWater(handled);
    if (low !== null && low >= 0n) await writer.handled(low);
  };
  const streams = new Map<string, string>();
  const pending = createPendingDeliveries({
    concurrency: o.concurrency ?? WEBHOOK_PROJECTION_DEFAULTS.concurrency,
    run: async (messageId) => {
      const next = await deliverOnce(o, streams.get(messageId)!, messageId, random, stop.signal);
      if (next === null) streams.delete(messageId);
      return next;
    },
    onFatal: (error) => {
      first.fatal ??= { error };
      stop.abort();
    },
    onChange: () => void save().catch((error: unknown) => o.logger.warn({ err: error, projection: name }, "checkpoint save failed; will retry")),
  });
  o.logger.info({ projection: name, after: after?.toString() ?? null }, "webhook projection starting");
  try {
    for await (const event of o.store.subscribeToAll({ streamPrefix: TASK_STREAM_PREFIX, signal: stop.signal, ...(after === null ? {} : { after }) })) {
      if (RESULT_EVENT_TYPES.has(event.type)) {
        const plan = await planOf(o, event.streamId, event.id);
        if (plan.kind === "due") {
          streams.set(event.id, event.streamId);
          pending.add(event.id, event.position, plan.dueAt);
        }
      }
      handled = event.position;
      await save();
      o.hooks?.handled(event);
    }
  } finally {
    pending.stop();
    o.signal.removeEventListener("abort", abort);
    await writer.close().catch((error: unknown) => o.logger.warn({ err: error, projection: name }, "final checkpoint save failed"));
  }
  if (first.fatal !== null) throw first.fatal.error;
}

/** The plan for one result from its stream as it is now. A stream that does not parse has no
 * webhook (logged): one bad row must not stop every other task's webhooks. */
async function planOf(o: WebhookProjectionOptions, streamId: string, messageId: string): Promise<DeliveryPlan> {
  const stored = await o.store.readStream(streamId);
  try {
    return deliveryPlan(
      stored.map((e) => ({ id: e.id, revision: e.revision, event: parseStored(e) })),
      messageId,
    );
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    o.logger.error({ err: error, stream: streamId, message_id: messageId }, "webhook projection cannot read a task stream; no webhook for it");
    return { kind: "none" };
  }
}

/** One POST of one result and its audit event; answers when the next POST is due, or null. */
async function deliverOnce(o: WebhookProjectionOptions, streamId: string, messageId: string, random: () => number, signal: AbortSignal): Promise<number | null> {
  const plan = await planOf(o, streamId, messageId);
  if (plan.kind !== "due") return null;
  if (plan.dueAt !== null && plan.dueAt > Date.now()) return plan.dueAt;
  const { job } = plan;
  const s = o.settings;
  const secret = webhookSecretFor(s, job.tenantId);
  const body = JSON.stringify(job.message);
  const refusal = webhookUrlRefusal(job.url, s) ?? (secret === undefined ? `no webhook secret covers tenant ${job.tenantId} (set WEBHOOK_SECRET or WEBHOOK_SECRETS)` : null);
  const tooLarge = Buffer.byteLength(body) > s.maxBodyBytes ? `the result is ${Buffer.byteLength(body)} bytes, over WEBHOOK_MAX_BODY_BYTES (${s.maxBodyBytes})` : null;
  const outcome: PostOutcome =
    refusal !== null || tooLarge !== null || secret === undefined
      ? { error: refusal !== null ? `refused: ${refusal}` : tooLarge!, durationMs: 0 }
      : await postWebhook({ url: job.url, body, headers: signedWebhookHeaders({ secret, body, messageId, event: job.event, now: new Date() }), timeoutMs: s.timeoutMs, policy: s, signal });
  // Stopped mid-POST: still pending (the checkpoint must not pass it); the next leader makes this
  // attempt again, with the same Idempotency-Key.
  if (signal.aborted) return Date.now();
  const delivered = outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300;
  const final = delivered || refusal !== null || tooLarge !== null;
  const delay = final ? null : retryDelayMs(plan.deliveryAttempt, { maxAttempts: s.maxAttempts, baseMs: s.retryBaseMs, maxMs: s.retryMaxMs }, random());
  const now = Date.now();
  const audit: AuditEvent = {
    type: "WebhookDeliveryAttempted",
    task_id: job.taskId,
    attempt: job.taskAttempt,
    at: new Date(now).toISOString(),
    message_id: messageId,
    delivery_attempt: plan.deliveryAttempt,
    url: job.url,
    ...(outcome.status !== undefined ? { status: outcome.status } : {}),
    ...(outcome.error !== undefined ? { error: outcome.error.slice(0, 500) } : {}),
    duration_ms: outcome.durationMs,
    delivered,
    ...(delay !== null ? { next_attempt_at: new Date(now + delay).toISOString() } : {}),
  };
  const log = o.logger.child({ task_id: job.taskId, message_id: messageId, delivery_attempt: plan.deliveryAttempt });
  if (!(await appendAudit(o, streamId, audit, plan))) {
    log.info("task reopened (or delivered by another node) while its webhook was out: this result's delivery ends");
    return null;
  }
  if (delivered) o.hooks?.published();
  else if (delay === null) log.warn({ status: outcome.status, error: outcome.error }, "webhook not delivered; no attempt left");
  else log.info({ status: outcome.status, error: outcome.error, retry_in_ms: delay }, "webhook not delivered; will retry");
  return delay === null ? null : now + delay;
}

/** Appends the audit event at the revision the plan was made on. On a conflict the stream is read
 * again: a task reopened (AttemptStarted), or this attempt recorded by another leader, ends the
 * delivery (false); only other audit events are appended after. */
async function appendAudit(o: WebhookProjectionOptions, streamId: string, audit: AuditEvent, plan: Extract<DeliveryPlan, { kind: "due" }>): Promise<boolean> {
  const event = { id: randomUUID(), type: audit.type, data: TaskEvent.parse(audit), metadata: { correlation_id: audit.task_id, causation_id: audit.message_id } };
  let revision = plan.revision;
  for (;;) {
    try {
      await o.store.append(streamId, [event], { expectedRevision: revision });
      return true;
    } catch (error) {
      if (!(error instanceof RevisionConflictError)) throw error;
      const again = await planOf(o, streamId, audit.message_id);
      if (again.kind !== "due" || again.deliveryAttempt !== plan.deliveryAttempt) return false;
      revision = again.revision;
    }
  }
}
