import type { RetryScheduler } from "../actors/task-runtime.ts";
import type { TaskHost } from "../actors/task-host.ts";
import { openAmqpLink, type AmqpLink } from "../infra/amqp/amqp-link.ts";
import { createAmqpResultPublisher } from "../infra/amqp/amqp-result-publisher.ts";
import { createAmqpRetryScheduler } from "../infra/amqp/amqp-retry-scheduler.ts";
import type { Logger } from "../infra/logger.ts";
import type { ResultPublisher } from "../infra/ports/result-publisher.port.ts";
import { createAmqpIntake, type AmqpIntake } from "../intake/amqp-intake.ts";

/** The AMQP half of the composition root: one link, the retry scheduler and result publisher over
 * it, and the intake (created once the host exists, since the host needs the scheduler). */
export interface AmqpMode {
  link: AmqpLink;
  retry: RetryScheduler;
  results: ResultPublisher;
  createIntake(host: TaskHost): AmqpIntake;
}

export function amqpMode(o: { url: string; logger: Logger; retryDelaysSeconds: readonly number[]; prefetch: number }): AmqpMode {
  const link = openAmqpLink({ url: o.url, logger: o.logger, retryDelaysSeconds: o.retryDelaysSeconds });
  const retry = createAmqpRetryScheduler(link, o.retryDelaysSeconds);
  const results = createAmqpResultPublisher(link);
  return {
    link,
    retry,
    results,
    createIntake: (host) =>
      createAmqpIntake({ link, host, results, retry, retryDelaysSeconds: o.retryDelaysSeconds, logger: o.logger, prefetch: o.prefetch }),
  };
}
