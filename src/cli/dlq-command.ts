import { connect } from "amqplib";
import { loadConfig } from "../config/config.ts";
import { listDeadLetters, replayDeadLetters, type DeadLetterView } from "../infra/amqp/dlq-admin.ts";
import { assertTopology } from "../infra/amqp/topology.ts";

export interface DlqArgs {
  action: "list" | "replay";
  taskId?: string | undefined;
  all?: boolean;
  limit?: number | undefined;
  json?: boolean;
}

/** `vs3d dlq list` / `vs3d dlq replay (--task-id ID | --all)`: what is in `tasks.dlq` and why, and
 * putting tasks back in line. Listing removes nothing; a replay removes a dead letter only once the
 * broker confirmed its republished copy. */
export async function dlqCommand(args: DlqArgs, env: Record<string, string | undefined>): Promise<number> {
  const config = loadConfig(env);
  if (config.amqpUrl === undefined) {
    process.stderr.write("vs3d: the DLQ lives in RabbitMQ: set AMQP_URL\n");
    return 2;
  }
  if (args.action === "replay" && !args.all && !args.taskId) {
    process.stderr.write("vs3d: dlq replay needs --task-id <id> or --all\n");
    return 2;
  }
  const conn = await connect(config.amqpUrl);
  try {
    const setup = await conn.createChannel();
    await assertTopology(setup, { retryDelaysSeconds: config.retryDelaysSeconds });
    await setup.close();
    if (args.action === "list") {
      const views = await listDeadLetters(conn, args.limit ?? 1000);
      if (args.json) process.stdout.write(`${JSON.stringify(views)}\n`);
      else {
        for (const v of views) process.stdout.write(`${line(v)}\n`);
        process.stdout.write(`${views.length} dead letter(s)\n`);
      }
      return 0;
    }
    const { replayed, skipped } = await replayDeadLetters(conn, (v) => args.all === true || v.task_id?.toLowerCase() === args.taskId?.toLowerCase());
    if (args.json) process.stdout.write(`${JSON.stringify({ replayed, skipped })}\n`);
    else {
      for (const v of replayed) process.stdout.write(`replayed ${line(v)}\n`);
      for (const v of skipped) process.stdout.write(`left in DLQ (not a valid task message) ${line(v)}\n`);
      process.stdout.write(`${replayed.length} replayed, ${skipped.length} left in the DLQ\n`);
    }
    return replayed.length === 0 && !args.all ? 1 : 0;
  } finally {
    await conn.close().catch(() => {});
  }
}

function line(v: DeadLetterView): string {
  const attempt = v.attempt === null ? "" : ` attempt ${v.attempt}`;
  return `${v.task_id ?? "(no task_id)"}  ${v.task_type ?? v.routing_key}${attempt}  ${v.code ?? "-"}  ${v.dead_lettered_at ?? ""}  ${v.reason ?? ""}`;
}
