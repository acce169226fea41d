import { randomUUID } from "node:crypto";
import { execa } from "execa";
import { connect, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type GetMessage } from "amqplib";
import pg from "pg";

export const AMQP_URL = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const POSTGRES_URL = process.env.POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test";

/** A RabbitMQ virtual host of its own for one test: the contract fixes the queue names, so two
 * test files running at once would otherwise consume each other's tasks. */
export async function freshVhost(): Promise<{ url: string; drop(): Promise<void> }> {
  const vhost = `vs3d-test-${randomUUID()}`;
  await execa("rabbitmqctl", ["-q", "add_vhost", vhost]);
  await execa("rabbitmqctl", ["-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"]);
  const base = new URL(AMQP_URL);
  base.pathname = `/${encodeURIComponent(vhost)}`;
  return { url: base.toString(), drop: async () => void (await execa("rabbitmqctl", ["-q", "delete_vhost", vhost], { reject: false })) };
}

export interface ReceivedResult {
  messageId: string;
  body: Record<string, unknown> & { task_id: string; status: string };
}

/** What the platform does on the broker: publishes task messages, reads results from its own
 * callback queue, and looks into the DLQ. One unique callback queue per test, deleted at the end. */
export interface PlatformSide {
  callbackQueue: string;
  results: ReceivedResult[];
  publish(routingKey: string, body: unknown, options?: { priority?: number }): Promise<void>;
  waitForResults(taskId: string, predicate: (r: ReceivedResult[]) => boolean, timeoutMs?: number): Promise<ReceivedResult[]>;
  /** Dead letters of one task, read without removing any message from tasks.dlq. */
  dlqMessages(match: (m: GetMessage) => boolean): Promise<GetMessage[]>;
  /** Removes this task's dead letters (only them), so reruns start clean. */
  removeFromDlq(match: (m: GetMessage) => boolean): Promise<number>;
  close(): Promise<void>;
}

export async function platformSide(amqpUrl: string = AMQP_URL): Promise<PlatformSide> {
  const conn: ChannelModel = await connect(amqpUrl);
  const ch: ConfirmChannel = await conn.createConfirmChannel();
  const callbackQueue = `vision-s3d.test-results.${randomUUID()}`;
  await ch.assertQueue(callbackQueue, { durable: true });
  const results: ReceivedResult[] = [];
  await ch.consume(callbackQueue, (m: ConsumeMessage | null) => {
    if (!m) return;
    results.push({ messageId: String(m.properties.messageId), body: JSON.parse(m.content.toString()) as ReceivedResult["body"] });
    ch.ack(m);
  });

  async function browseDlq<T>(fn: (got: GetMessage[]) => Promise<T>): Promise<T> {
    // Gets without ack hold each message on this channel, so the next get returns the next one;
    // closing the channel returns every unacked one to the queue.
    const browse = await conn.createChannel();
    const got: GetMessage[] = [];
    for (;;) {
      const m = await browse.get("tasks.dlq", { noAck: false });
      if (m === false) break;
      got.push(m);
    }
    try {
      return await fn(got.map((m) => Object.assign(m, { ack: () => browse.ack(m) })));
    } finally {
      await browse.close();
    }
  }

  return {
    callbackQueue,
    results,
    async publish(routingKey, body, options = {}) {
      const content = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
      ch.publish("vision.s3d.tasks", routingKey, content, { persistent: true, contentType: "application/json", priority: options.priority ?? 5 });
      await ch.waitForConfirms();
    },
    async waitForResults(taskId, predicate, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const mine = results.filter((r) => r.body.task_id === taskId);
        if (predicate(mine)) return mine;
        if (Date.now() > deadline) throw new Error(`timed out waiting for results of ${taskId}; got ${JSON.stringify(mine.map((r) => r.body))}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    dlqMessages: (match) => browseDlq((got) => Promise.resolve(got.filter(match))),
    removeFromDlq: (match) =>
      browseDlq((got) => {
        const mine = got.filter(match);
        for (const m of mine) (m as GetMessage & { ack(): void }).ack();
        return Promise.resolve(mine.length);
      }),
    async close() {
      await ch.deleteQueue(callbackQueue).catch(() => {});
      await conn.close().catch(() => {});
    },
  };
}

/** A fresh PostgreSQL database for one test file, dropped at the end. */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `vs3d_e2e_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await c.end();
    },
  };
}
