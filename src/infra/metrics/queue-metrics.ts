import { Gauge, type Registry } from "prom-client";
import type { AmqpLink } from "../amqp/amqp-link.ts";
import { DLQ, intakeQueues, retryQueue } from "../amqp/topology.ts";

export const QUEUE_METRICS_DEFAULTS = {
  /** A scrape gives up on the broker after this long and reports what it has rather than hang
   * (Prometheus' own scrape timeout is 10 s). Default: 5000. */
  timeoutMs: 5000,
};

/** The queues worth watching: each class queue and the catch-all (what waits for a node), the retry
 * queues (what waits for its delay) and the DLQ (what waits for an operator). */
export function watchedQueues(retryDelaysSeconds: readonly number[]): string[] {
  return [...intakeQueues(), ...[...new Set(retryDelaysSeconds)].map(retryQueue), DLQ];
}

/** Queue depth and consumers per queue, asked of RabbitMQ with checkQueue at scrape time (the
 * management plugin need not be enabled). While the broker is away the series are absent, not zero:
 * an empty queue and an unknown one must not look alike. */
export function registerQueueMetrics(registry: Registry, link: Pick<AmqpLink, "isConnected" | "withChannel">, queues: readonly string[], options: Partial<typeof QUEUE_METRICS_DEFAULTS> = {}): void {
  const timeoutMs = options.timeoutMs ?? QUEUE_METRICS_DEFAULTS.timeoutMs;
  let last: Promise<Map<string, { messages: number; consumers: number }>> | null = null;
  // Both gauges are collected in one scrape: one broker round per scrape, shared.
  const read = () => {
    last ??= readQueues(link, queues, timeoutMs).finally(() => setTimeout(() => (last = null), 0));
    return last;
  };
  const gauge = (name: string, help: string, pick: (q: { messages: number; consumers: number }) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["queue"],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [queue, counts] of await read()) this.set({ queue }, pick(counts));
      },
    });
  gauge("vs3d_queue_messages", "Messages ready in a RabbitMQ queue (not yet delivered to a consumer)", (q) => q.messages);
  gauge("vs3d_queue_consumers", "Consumers of a RabbitMQ queue", (q) => q.consumers);
}

async function readQueues(link: Pick<AmqpLink, "isConnected" | "withChannel">, queues: readonly string[], timeoutMs: number): Promise<Map<string, { messages: number; consumers: number }>> {
  const counts = new Map<string, { messages: number; consumers: number }>();
  if (!link.isConnected()) return counts;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  const work = link
    .withChannel(async (ch) => {
      for (const queue of queues) {
        // A queue not declared yet closes the channel: what was read so far is kept.
        const q = await ch.checkQueue(queue);
        counts.set(queue, { messages: q.messageCount, consumers: q.consumerCount });
      }
    })
    .catch(() => {});
  await Promise.race([work, timeout]);
  clearTimeout(timer);
  return new Map(counts);
}
