import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { test } from "node:test";
import { connect } from "amqplib";
import { execa } from "execa";
import pg from "pg";
import { freshDatabase, REDIS_URL } from "../helpers/amqp.ts";
import { fixture, REPO_ROOT } from "../helpers/fixtures.ts";
import { e2eStack } from "../e2e/e2e-stack.ts";

const KIT = join(REPO_ROOT, "docs", "laravel");
const php = (script: string) => join(KIT, "bin", script);

/** The PHP side's environment: where RabbitMQ (the stack's vhost), Redis and its database are. */
function phpEnv(amqpUrl: string, dbUrl: string, queue: string): Record<string, string> {
  const amqp = new URL(amqpUrl);
  const db = new URL(dbUrl);
  const redis = new URL(REDIS_URL);
  return {
    VS3D_AMQP_HOST: amqp.hostname,
    VS3D_AMQP_PORT: amqp.port || "5672",
    VS3D_AMQP_USER: decodeURIComponent(amqp.username),
    VS3D_AMQP_PASSWORD: decodeURIComponent(amqp.password),
    VS3D_AMQP_VHOST: decodeURIComponent(amqp.pathname.slice(1)),
    VS3D_REDIS_HOST: redis.hostname,
    VS3D_REDIS_PORT: redis.port || "6379",
    VS3D_DB_DSN: `pgsql:host=${db.hostname};port=${db.port || "5432"};dbname=${db.pathname.slice(1)};user=${decodeURIComponent(db.username)}`,
    VS3D_RESULTS_QUEUE: queue,
  };
}

test("Laravel kit: a task published from PHP completes; PHP reads its progress and consumes its result exactly once", { timeout: 120_000 }, async () => {
  const stack = await e2eStack();
  const appDb = await freshDatabase();
  const queue = `vision-s3d.results.kit-${randomUUID().slice(0, 8)}`;
  const env = phpEnv(stack.env.AMQP_URL!, appDb.url, queue);
  const listeners: { kill(): boolean }[] = [];
  try {
    const svc = await stack.start();
    const task = stack.taskMessage({ params: { sizes: [64] }, webhook: { callback_queue: queue } });
    const source = task.source as { bucket: string; key: string };
    await stack.storage.upload(source.bucket, source.key, fixture("images", "recurser_Landscape_6.jpg"));

    // The progress listener subscribes first, as the long-running artisan command would.
    const progress = execa("php", [php("listen-progress.php"), `--task=${task.task_id}`], { env, reject: false, timeout: 60_000 });
    listeners.push(progress);
    await new Promise<void>((resolve) => progress.stderr.on("data", (d: Buffer) => d.toString().includes("subscribed") && resolve()));

    const published = await execa("php", [php("publish-task.php")], { env, input: JSON.stringify(task) });
    assert.deepEqual(JSON.parse(published.stdout), { published: task.task_id });

    const results = await execa("php", [php("listen-results.php"), `--until-task=${task.task_id}`, "--idle=60"], { env, timeout: 70_000 });
    assert.deepEqual(JSON.parse(results.stdout.trim().split("\n").at(-1)!), { handled: 1, duplicates: 0, rejected: 0 });

    // Progress went through PHP to the tenant's Reverb channel, ending in the final state.
    const lines = (await progress).stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { channel: string; message: { status: string; task_id: string } });
    assert.ok(lines.length >= 1, "at least the final progress message was rebroadcast");
    assert.ok(lines.every((l) => l.channel === `tenant.${String(task.tenant_id)}.files` && l.message.task_id === task.task_id));
    assert.equal(lines.at(-1)!.message.status, "completed");

    // The catch-up key is read without Laravel's prefix; with it, it is missed (the documented trap).
    const last = JSON.parse((await execa("php", [php("last-progress.php"), task.task_id], { env })).stdout) as { last_progress: { status: string } | null; with_laravel_prefix: unknown };
    assert.equal(last.last_progress?.status, "completed");
    assert.equal(last.with_laravel_prefix, false);

    // The application's database has the outcome once.
    const client = new pg.Client({ connectionString: appDb.url });
    await client.connect();
    try {
      const rows = (await client.query("SELECT processing_status, results_received, outputs FROM files WHERE id = $1", [task.file_id])).rows as {
        processing_status: string;
        results_received: number;
        outputs: { type: string }[];
      }[];
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.processing_status, "completed");
      assert.equal(rows[0]!.results_received, 1);
      assert.deepEqual(
        rows[0]!.outputs.map((o) => o.type),
        ["thumbnail"],
      );

      // A redelivered copy of the same result (same message_id) is acked and dropped.
      const events = (await (await fetch(`${svc.url}/tasks/${task.task_id}/events`)).json()) as { events: { id: string; type: string }[] };
      const completedId = events.events.find((e) => e.type === "TaskCompleted")!.id;
      const conn = await connect(stack.env.AMQP_URL!);
      const ch = await conn.createConfirmChannel();
      const body = { task_id: task.task_id, tenant_id: task.tenant_id, file_id: task.file_id, status: "completed", completed_at: new Date().toISOString(), duration_seconds: 1, outputs: [] };
      ch.sendToQueue(queue, Buffer.from(JSON.stringify(body)), { messageId: completedId, persistent: true, contentType: "application/json" });
      ch.sendToQueue(queue, Buffer.from("not a result"), { messageId: randomUUID(), persistent: true });
      await ch.waitForConfirms();
      await conn.close();
      const again = await execa("php", [php("listen-results.php"), "--idle=3"], { env, timeout: 30_000 });
      assert.deepEqual(JSON.parse(again.stdout.trim().split("\n").at(-1)!), { handled: 0, duplicates: 1, rejected: 1 });
      const after = (await client.query("SELECT results_received FROM files WHERE id = $1", [task.file_id])).rows as { results_received: number }[];
      assert.equal(after[0]!.results_received, 1, "the duplicate did not touch the application's data");
    } finally {
      await client.end();
    }
  } catch (error) {
    throw new Error(`${String(error)}\n${stack.logs()}`, { cause: error });
  } finally {
    for (const l of listeners) l.kill();
    await stack.close();
    await appDb.drop();
  }
});

test("Laravel kit: every PHP file of the kit parses", async () => {
  const { stdout } = await execa("bash", ["-c", `find '${KIT}' -name '*.php' -print0 | xargs -0 -n1 php -l`]);
  assert.ok(
    stdout
      .split("\n")
      .filter(Boolean)
      .every((l) => l.startsWith("No syntax errors")),
    stdout,
  );
});
