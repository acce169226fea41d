import type { ChannelWrapper } from "amqp-connection-manager";
import type { ConfirmChannel, ConsumeMessage } from "amqplib";
import { describe } from "../infra/amqp/amqp-link.ts";
import { assertTopology, intakeQueues } from "../infra/amqp/topology.ts";
import { handleDelivery, type DeliveryDeps } from "./handle-delivery.ts";
import { withDefaults } from "../shared/with-defaults.ts";

export const AMQP_INTAKE_DEFAULTS = {
  /** Unacked deliveries per queue consumer. Tasks hold their delivery while they run, so this is
   * also how many tasks of one class the node may have in hand; the slot broker decides what runs.
   * Default: 16. */
  prefetch: 16,
  /** Pause before requeueing a delivery whose handling threw (store or broker away). Default: 2000. */
  failureBackoffMs: 2000,
  /** Grace after a retry's due time before its message counts as lost. Default: 15000. */
  retryGraceMs: 15_000,
};

export interface AmqpIntakeOptions extends Omit<DeliveryDeps, "stopping" | "retryGraceMs">, Partial<typeof AMQP_INTAKE_DEFAULTS> {}

export interface AmqpIntake {
  /** Starts consuming every class queue and the catch-all for unknown types. */
  start(): Promise<void>;
  /** Cancels the consumers; deliveries in hand keep being handled. */
  stopConsuming(): Promise<void>;
  /** Waits for every delivery in hand to be acked or requeued, up to `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
  readonly inFlight: number;
  /** True while consumers are registered on a live channel. */
  readonly consuming: boolean;
}

/** Task intake from RabbitMQ (DESIGN.md §3). Consumes on a raw channel per connection, so each
 * delivery is acked on the channel it came from — never on a newer one, which would refuse the tag. */
export function createAmqpIntake(options: AmqpIntakeOptions): AmqpIntake {
  const o = withDefaults(AMQP_INTAKE_DEFAULTS, options);
  const log = o.logger.child({ component: "intake" });
  const stop = new AbortController();
  const deps: DeliveryDeps = { ...o, stopping: stop.signal, retryGraceMs: o.retryGraceMs };
  const inFlight = new Set<Promise<void>>();
  let current: { ch: ConfirmChannel; tags: string[] } | null = null;
  let wrapper: ChannelWrapper | null = null;

  const onMessage = (ch: ConfirmChannel, msg: ConsumeMessage | null) => {
    if (msg === null) return void log.warn("the broker cancelled a consumer (queue deleted?)");
    const p = handleDelivery(deps, ch, msg)
      .catch(async (error: unknown) => {
        log.error({ err: error, routing_key: msg.fields.routingKey }, "delivery handling failed: requeueing");
        await new Promise((r) => setTimeout(r, stop.signal.aborted ? 0 : o.failureBackoffMs));
        try {
          ch.nack(msg, false, true);
        } catch {
          // The channel is gone: the broker redelivers by itself.
        }
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  async function setup(ch: ConfirmChannel): Promise<void> {
    ch.on("close", () => {
      if (current?.ch === ch) current = null;
    });
    ch.on("error", (err: unknown) => {
      const text = describe(err);
      if (/acknowledg\w* .*timed out/i.test(text)) {
        log.error({ err: text }, "RabbitMQ closed the channel because a task held its delivery longer than consumer_timeout: raise consumer_timeout above the longest task (see docker-compose.yml)");
      } else log.warn({ err: text }, "intake channel error");
    });
    if (stop.signal.aborted) return;
    await assertTopology(ch, { retryDelaysSeconds: o.retryDelaysSeconds });
    await ch.prefetch(o.prefetch);
    const tags: string[] = [];
    for (const queue of intakeQueues()) {
      const { consumerTag } = await ch.consume(queue, (m) => onMessage(ch, m), { noAck: false });
      tags.push(consumerTag);
    }
    current = { ch, tags };
    log.info({ queues: intakeQueues(), prefetch: o.prefetch }, "consuming tasks");
  }

  return {
    async start() {
      wrapper = o.link.manager.createChannel({ name: "intake", confirm: true, setup });
      wrapper.on("error", (err) => log.error({ err: describe(err) }, "intake channel setup failed"));
      await wrapper.waitForConnect();
    },
    async stopConsuming() {
      stop.abort();
      const c = current;
      current = null;
      if (c) await Promise.allSettled(c.tags.map((t) => c.ch.cancel(t)));
    },
    async drain(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
      await wrapper?.close().catch(() => {});
    },
    get inFlight() {
      return inFlight.size;
    },
    get consuming() {
      return current !== null && o.link.isConnected();
    },
  };
}
