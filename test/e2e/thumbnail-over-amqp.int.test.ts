import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import sharp from "sharp";
import { fixture } from "../helpers/fixtures.ts";
import { REDIS_URL } from "../helpers/amqp.ts";
import { waitFor } from "../helpers/service-process.ts";
import { e2eStack, taskEvents } from "./e2e-stack.ts";

test("the platform's image_thumbnail task over RabbitMQ: progress on Redis, a completed result, decodable thumbnails in S3", { timeout: 90_000 }, async () => {
  const stack = await e2eStack();
  const sub = new Redis(REDIS_URL);
  const redis = new Redis(REDIS_URL);
  try {
    const msg = stack.taskMessage({ params: { sizes: [64, 200], format: "webp" } });
    const source = msg.source as { bucket: string; key: string };
    await stack.storage.upload(source.bucket, source.key, fixture("images", "recurser_Landscape_6.jpg"));
    const svc = await stack.start();

    const progress: { status: string; progress: { percent: number } }[] = [];
    const channel = `task:${msg.task_id}:progress`;
    sub.on("message", (_c: string, raw: string) => progress.push(JSON.parse(raw) as (typeof progress)[number]));
    await sub.subscribe(channel);

    await stack.platform.publish("image_thumbnail", msg);
    const [result] = await stack.platform.waitForResults(msg.task_id, (r) => r.some((x) => x.body.status === "completed"), 20_000);
    const body = result!.body as unknown as { status: string; outputs: { key: string; format: string; size_bytes: number }[] };
    assert.equal(body.status, "completed");
    assert.equal(body.outputs.length, 2);

    // The result's message_id is the id of the TaskCompleted event it projects.
    const events = await taskEvents(svc.url, msg.task_id);
    const completed = (await (await fetch(`${svc.url}/tasks/${msg.task_id}/events`)).json()) as { events: { id: string; type: string }[] };
    assert.equal(result!.messageId, completed.events.find((e) => e.type === "TaskCompleted")!.id);
    assert.ok(events.some((e) => e.type === "TaskAccepted"));

    const dir = await mkdtemp(join(tmpdir(), "vs3d-e2e-out-"));
    const sizes = [];
    for (const out of body.outputs) {
      const local = join(dir, out.key.replaceAll("/", "_"));
      const { size } = await stack.storage.download("out", out.key, local);
      assert.equal(size, out.size_bytes);
      const meta = await sharp(local).metadata();
      assert.equal(meta.format, "webp");
      sizes.push(Math.max(meta.width ?? 0, meta.height ?? 0));
    }
    assert.deepEqual(
      sizes.sort((a, b) => a - b),
      [64, 200],
    );

    await waitFor("the final progress message", () => Promise.resolve(progress.some((p) => p.status === "completed")), 10_000);
    assert.ok(
      progress.some((p) => p.status === "processing"),
      `a processing message arrived: ${JSON.stringify(progress.map((p) => p.status))}`,
    );
    const last = JSON.parse((await redis.get(`task:${msg.task_id}:last_progress`)) ?? "{}") as { status?: string; progress?: { percent: number } };
    assert.equal(last.status, "completed");
    assert.equal(last.progress?.percent, 100);
    const ttl = await redis.ttl(`task:${msg.task_id}:last_progress`);
    assert.ok(ttl > 3000 && ttl <= 3600, `last_progress has a 1 h TTL, got ${ttl}`);

    const ready = (await (await fetch(`${svc.url}/health/ready`)).json()) as { status: string; checks: Record<string, { ok: boolean }> };
    assert.equal(ready.status, "ready");
    // One entry per dependency (and the projections this node runs); informational ones may be added.
    for (const name of ["amqp", "event_store", "projections", "redis", "storage"]) assert.equal(ready.checks[name]?.ok, true, `${name} is checked and ok`);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${stack.logs()}`, { cause: error });
  } finally {
    sub.disconnect();
    redis.disconnect();
    await stack.close();
  }
});
