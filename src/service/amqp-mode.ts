import type { RetryScheduler } from "../actors/task-runtime.ts";
import type { TaskHost } from "../actors/task-host.ts";
import { openAmqpLink, type AmqpLink } from "../infra/amqp/amqp-link.ts";
import { createAmqpResultPublisher } from "../infra/amqp/amqp-result-publisher.ts";
import { createAmqpRetryScheduler } from "../infra/amqp/amqp-retry-scheduler.ts";
import type { Logger } from "../infra/logger.ts";
import type { ResultPublisher } from "../infra/ports/result-publisher.port.ts";
import { AMQP_INTAKE_DEFAULTS, createAmqpIntake, type AmqpIntake } from "../intake/amqp-intake.ts";

/** The AMQP half of the composition root: one link, the retry scheduler and result publisher over
 * it, and the intake (created once the host exists, since the host needs the scheduler). */
export interface AmqpMode {
  link: AmqpLink;
  retry: RetryScheduler;
  results: ResultPublisher;
  createIntake(host: TaskHost): AmqpIntake;
}

export function amqpMode(o: { url: string; logger: Logger; retryDelaysSeconds: readonly number[]; env: Record<string, string | undefined> }): AmqpMode {
  const link = openAmqpLink({ url: o.url, logger: o.logger, retryDelaysSeconds: o.retryDelaysSeconds });
  const retry = createAmqpRetryScheduler(link, o.retryDelaysSeconds);
  const results = createAmqpResultPublisher(link);
  return {
    link,
    retry,
    results,
    createIntake: (host) =>
      createAmqpIntake({ link, host, results, retry, retryDelaysSeconds: o.retryDelaysSeconds, logger: o.logger, prefetch: prefetchFrom(o.env) }),
  };
}

/** AMQP_PREFETCH: unacked deliveries per class queue. Read here until config.ts carries it. */
function prefetchFrom(env: Record<string, string | undefined>): number {
  const raw = env.AMQP_PREFETCH;
  if (raw === undefined || raw === "") return AMQP_INTAKE_DEFAULTS.prefetch;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`AMQP_PREFETCH must be a whole number 1–1000, got ${raw}`);
  return n;
}
