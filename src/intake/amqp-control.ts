import type { Channel, ConsumeMessage } from "amqplib";
import type { ChannelWrapper } from "amqp-connection-manager";
import { CONTROL_EXCHANGE, ControlMessage } from "../contracts/control-message.ts";
import type { TaskHost } from "../actors/task-host.ts";
import { describe, type AmqpLink } from "../infra/amqp/amqp-link.ts";
import type { Logger } from "../infra/logger.ts";

/** Consumes control messages on a queue of this node's own, bound to the fanout control exchange, so
 * a cancel reaches whichever node runs the task. The host decides: it stops the task when it runs
 * here, records the cancel when no node owns the task, and leaves it to the owner otherwise. */
export function startControlConsumer(o: { link: AmqpLink; host: TaskHost; nodeId: string; logger: Logger }): { stop(): Promise<void> } {
  const log = o.logger.child({ component: "control" });
  const queue = `control.${o.nodeId}`;
  const wrapper: ChannelWrapper = o.link.manager.createChannel({
    name: "control",
    setup: async (ch: Channel) => {
      await ch.assertExchange(CONTROL_EXCHANGE, "fanout", { durable: true });
      await ch.assertQueue(queue, { exclusive: true, autoDelete: true });
      await ch.bindQueue(queue, CONTROL_EXCHANGE, "");
      await ch.consume(queue, (m) => void handle(ch, m), { noAck: false });
    },
  });
  wrapper.on("error", (err) => log.error({ err: describe(err) }, "control channel setup failed"));

  async function handle(ch: Channel, m: ConsumeMessage | null): Promise<void> {
    if (!m) return;
    try {
      const parsed = ControlMessage.safeParse(JSON.parse(m.content.toString("utf8")));
      if (!parsed.success) {
        log.warn({ issues: parsed.error.issues }, "invalid control message dropped");
        return;
      }
      const { task_id, reason } = parsed.data;
      const outcome = await o.host.cancelIfOwnedHere(task_id, reason);
      log.info({ task_id, outcome }, "cancel handled");
    } catch (error) {
      log.warn({ err: describe(error) }, "control message failed");
    } finally {
      // The channel may have closed while the cancel ran; an unacked control message is harmless.
      try {
        ch.ack(m);
      } catch (error) {
        log.debug({ err: describe(error) }, "control ack after channel close");
      }
    }
  }
  return { stop: async () => void (await wrapper.close().catch(() => {})) };
}

/** Publishes a cancel to every node (HTTP cancel in AMQP mode goes through here too). */
export async function publishCancel(link: AmqpLink, taskId: string, reason: string): Promise<void> {
  await link.publish(CONTROL_EXCHANGE, "", Buffer.from(JSON.stringify({ type: "cancel", task_id: taskId, reason })), { contentType: "application/json" });
}
