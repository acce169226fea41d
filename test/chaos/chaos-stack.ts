import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { createS3Storage } from "../../src/infra/storage/s3-storage.ts";
import { randomUUID } from "node:crypto";
import { connect, type ChannelModel, type ConfirmChannel, type GetMessage } from "amqplib";
import { freshDatabase, freshVhost, type ReceivedResult } from "../helpers/amqp.ts";
import { productionEnv } from "../helpers/platform-stack.ts";
import { startS3rver } from "../helpers/s3rver.ts";
import { startServiceProcess, type ServiceProcess } from "../helpers/service-process.ts";

/** One service node of the chaos run: a real `src/main.ts` process that can be SIGKILLed and
 * started again under the same NODE_ID, work dir and data dir. */
export interface ChaosNode {
  readonly name: string;
  /** The live process, or null between a kill and the restart. */
  readonly current: ServiceProcess | null;
  /** Every process this node has been, oldest first (their logs stay readable after death). */
  readonly generations: readonly ServiceProcess[];
  start(): Promise<ServiceProcess>;
  sigkill(): Promise<void>;
  /** True when the live process has not exited on its own (a crash). */
  crashed(): boolean;
}

/** Two nodes sharing RabbitMQ (a vhost of their own), PostgreSQL (a fresh database), Redis and one
 * S3 server (s3rver), plus the platform's side of the broker. */
export interface ChaosStack {
  env: Record<string, string>;
  platform: ChaosPlatform;
  storage: ReturnType<typeof createS3Storage>;
  nodes: [ChaosNode, ChaosNode];
  root: string;
  logs(): string;
  close(): Promise<void>;
}

export async function chaosStack(): Promise<ChaosStack> {
  const root = await mkdtemp(join(tmpdir(), "vs3d-chaos-"));
  const s3 = await startS3rver(["in", "out", "health"]);
  const db = await freshDatabase();
  const vhost = await freshVhost();
  const platform = await chaosPlatform(vhost.url);
  const storage = createS3Storage(s3.clientOptions);
  const env: Record<string, string> = { ...productionEnv({ amqpUrl: vhost.url, eventStoreUrl: db.url, s3 }), LOG_LEVEL: "info" };
  const node = (name: string): ChaosNode => {
    const generations: ServiceProcess[] = [];
    let current: ServiceProcess | null = null;
    return {
      name,
      get current() {
        return current;
      },
      generations,
      async start() {
        const svc = await startServiceProcess({ ...env, NODE_ID: `chaos-${name}`, WORK_DIR: join(root, name, "work"), DATA_DIR: join(root, name, "data") });
        generations.push(svc);
        current = svc;
        return svc;
      },
      async sigkill() {
        const svc = current;
        current = null;
        if (!svc || svc.process.exitCode !== null) return;
        svc.process.kill("SIGKILL");
        await svc.process;
      },
      crashed: () => current !== null && current.process.exitCode !== null,
    };
  };
  const nodes: [ChaosNode, ChaosNode] = [node("a"), node("b")];
  return {
    env,
    platform,
    storage,
    nodes,
    root,
    logs: () => nodes.flatMap((n) => n.generations.map((g, i) => `--- node ${n.name} #${i + 1} ---\n${g.logs()}`)).join("\n"),
    async close() {
      for (const n of nodes) await n.sigkill();
      await platform.close().catch(() => {});
      await vhost.drop().catch(() => {});
      storage.client.destroy();
      await s3.stop().catch(() => {});
      await db.drop().catch(() => {});
      await rm(root, { recursive: true, force: true });
    },
  };
}

export type Dependency = "rabbitmq" | "redis" | "postgres";

/** Restarts one of the machine's shared servers (the commands of the machine's notes) and resolves
 * when it answers again. Every other test on the machine shares these servers: run sparingly. */
export async function restartDependency(dep: Dependency, options: { downMs?: number } = {}): Promise<void> {
  const pause = () => new Promise((r) => setTimeout(r, options.downMs ?? 1500));
  if (dep === "postgres") {
    const version = (await execa("ls", ["/etc/postgresql"])).stdout.trim().split("\n")[0]!;
    await execa("pg_ctlcluster", ["--skip-systemctl-redirect", version, "main", "stop", "-m", "fast"]);
    await pause();
    await execa("pg_ctlcluster", ["--skip-systemctl-redirect", version, "main", "start"]);
    await until(async () => (await execa("pg_isready", ["-h", "127.0.0.1", "-q"], { reject: false })).exitCode === 0, 60_000, "PostgreSQL");
  } else if (dep === "redis") {
    await execa("redis-cli", ["-h", "127.0.0.1", "shutdown", "nosave"], { reject: false });
    await pause();
    await execa("redis-server", ["--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "", "--appendonly", "no", "--dir", "/tmp"]);
    await until(async () => (await execa("redis-cli", ["-h", "127.0.0.1", "ping"], { reject: false })).stdout.trim() === "PONG", 30_000, "Redis");
  } else {
    await execa("rabbitmqctl", ["stop"], { reject: false });
    await pause();
    await execa("rabbitmq-server", ["-detached"]);
    await until(async () => (await execa("rabbitmqctl", ["-q", "await_startup"], { reject: false, timeout: 30_000 })).exitCode === 0, 120_000, "RabbitMQ");
  }
}

async function until(ok: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not come back within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The platform's side of the broker, as Laravel would hold it: it reconnects after a RabbitMQ
 * restart and keeps consuming the same durable callback queue, so no result is lost to the test. */
export interface ChaosPlatform {
  callbackQueue: string;
  results: ReceivedResult[];
  publish(routingKey: string, body: Buffer): Promise<void>;
  /** Every message in tasks.dlq, read without removing any. */
  dlq(): Promise<GetMessage[]>;
  close(): Promise<void>;
}

export async function chaosPlatform(url: string): Promise<ChaosPlatform> {
  const callbackQueue = `vision-s3d.chaos.${randomUUID()}`;
  const results: ReceivedResult[] = [];
  let conn: ChannelModel | null = null;
  let ch: ConfirmChannel | null = null;
  let closed = false;
  let connecting: Promise<void> | null = null;

  async function open(): Promise<void> {
    for (;;) {
      try {
        const c = await connect(url);
        const channel = await c.createConfirmChannel();
        await channel.assertQueue(callbackQueue, { durable: true });
        await channel.consume(callbackQueue, (m) => {
          if (!m) return;
          results.push({ messageId: String(m.properties.messageId), body: JSON.parse(m.content.toString()) as ReceivedResult["body"] });
          channel.ack(m);
        });
        c.on("error", () => {});
        c.on("close", () => {
          conn = null;
          ch = null;
          if (!closed) void ensure();
        });
        conn = c;
        ch = channel;
        return;
      } catch {
        if (closed) return;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
  const ensure = () => (connecting ??= open().finally(() => (connecting = null)));
  await ensure();

  return {
    callbackQueue,
    results,
    async publish(routingKey, body) {
      for (let attempt = 0; ; attempt++) {
        if (!ch) await ensure();
        try {
          ch!.publish("vision.s3d.tasks", routingKey, body, { persistent: true, contentType: "application/json", priority: 5 });
          await ch!.waitForConfirms();
          return;
        } catch (error) {
          if (attempt >= 20) throw error;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    },
    async dlq() {
      const c = await connect(url);
      try {
        const browse = await c.createChannel();
        const got: GetMessage[] = [];
        for (;;) {
          const m = await browse.get("tasks.dlq", { noAck: false });
          if (m === false) break;
          got.push(m);
        }
        return got;
      } finally {
        await c.close().catch(() => {});
      }
    },
    async close() {
      closed = true;
      const c = conn;
      await ch?.deleteQueue(callbackQueue).catch(() => {});
      await c?.close().catch(() => {});
    },
  };
}
