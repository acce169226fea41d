import amqp, { type AmqpConnectionManager, type ChannelWrapper } from "amqp-connection-manager";
import type { ConfirmChannel, Options } from "amqplib";
import type { Logger } from "../logger.ts";
import { assertTopology } from "./topology.ts";
import { withDefaults } from "../../shared/with-defaults.ts";

export const AMQP_LINK_DEFAULTS = {
  /** AMQP heartbeat; a dead TCP peer is noticed after about twice this. Default: 15. */
  heartbeatSeconds: 15,
  /** Pause between reconnect attempts (the wrapper retries forever). Default: 2. */
  reconnectSeconds: 2,
  /** A publish not confirmed within this fails instead of hanging a task's ack. Default: 30000. */
  publishTimeoutMs: 30_000,
};

export interface AmqpLinkOptions extends Partial<typeof AMQP_LINK_DEFAULTS> {
  url: string;
  logger: Logger;
  /** Declares one TTL queue per delay. */
  retryDelaysSeconds: readonly number[];
}

/** One connection to RabbitMQ with a confirm channel for everything the service publishes. The
 * topology is (re)declared on every new channel; reconnection is the wrapper's. */
export interface AmqpLink {
  manager: AmqpConnectionManager;
  /** Resolves once the broker confirmed the message; rejects on nack or timeout. */
  publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void>;
  /** A fresh raw channel for one-off work that may fail (e.g. declaring a queue Laravel owns). */
  withChannel<T>(fn: (ch: ConfirmChannel) => Promise<T>): Promise<T>;
  isConnected(): boolean;
  /** Waits for the first connection and the topology; rejects after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export function openAmqpLink(options: AmqpLinkOptions): AmqpLink {
  const o = withDefaults(AMQP_LINK_DEFAULTS, options);
  const log = o.logger.child({ component: "amqp" });
  const manager = amqp.connect([o.url], { heartbeatIntervalInSeconds: o.heartbeatSeconds, reconnectTimeInSeconds: o.reconnectSeconds });
  manager.on("connect", () => log.info("connected to RabbitMQ"));
  manager.on("disconnect", ({ err }) => log.warn({ err: describe(err) }, "RabbitMQ connection lost; reconnecting"));
  manager.on("connectFailed", ({ err }) => log.warn({ err: describe(err) }, "RabbitMQ connection failed; retrying"));
  manager.on("blocked", ({ reason }) => log.warn({ reason }, "RabbitMQ blocked publishing (resource alarm)"));

  const publisher: ChannelWrapper = manager.createChannel({
    name: "publisher",
    confirm: true,
    publishTimeout: o.publishTimeoutMs,
    setup: (ch: ConfirmChannel) => assertTopology(ch, { retryDelaysSeconds: o.retryDelaysSeconds }),
  });
  publisher.on("error", (err) => log.error({ err: describe(err) }, "publisher channel setup failed"));

  return {
    manager,
    async publish(exchange, routingKey, content, publishOptions) {
      const ok = await publisher.publish(exchange, routingKey, content, { persistent: true, ...publishOptions });
      if (ok === false) throw new Error(`broker did not confirm a message to ${exchange}/${routingKey}`);
    },
    async withChannel(fn) {
      await publisher.waitForConnect();
      const connection = manager.connection;
      if (!connection) throw new Error("not connected to RabbitMQ");
      const ch = await connection.createConfirmChannel();
      // A refused declaration closes the channel with an error event; it is expected here.
      ch.on("error", () => {});
      try {
        return await fn(ch);
      } finally {
        await ch.close().catch(() => {});
      }
    },
    isConnected: () => manager.isConnected(),
    async ready(timeoutMs = 30_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`RabbitMQ not reachable within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([publisher.waitForConnect(), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await publisher.close().catch(() => {});
      await manager.close();
    },
  };
}

/** Broker errors carry the AMQP reply text; that is what an operator needs to see. */
export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
