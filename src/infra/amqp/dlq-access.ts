import { connect, type ChannelModel } from "amqplib";
import { listDeadLetters, replayDeadLetters, type DeadLetterView } from "./dlq-admin.ts";

/** The DLQ for the HTTP API: each call on its own short connection, like `vs3d dlq`, so a browse
 * (which holds the messages it read until its channel closes) never mixes with the intake's. */
export function dlqAccess(url: string): { list(limit: number): Promise<DeadLetterView[]>; replay(taskId: string): Promise<boolean> } {
  const withConnection = async <T>(fn: (conn: ChannelModel) => Promise<T>): Promise<T> => {
    const conn = await connect(url);
    try {
      return await fn(conn);
    } finally {
      await conn.close().catch(() => {});
    }
  };
  return {
    list: (limit) => withConnection((conn) => listDeadLetters(conn, limit)),
    replay: (taskId) => withConnection(async (conn) => (await replayDeadLetters(conn, (v) => v.task_id?.toLowerCase() === taskId.toLowerCase())).replayed.length > 0),
  };
}
