import type { RetryScheduler } from "../ports/retry-scheduler.port.ts";
import type { TaskHost } from "../actors/task-host.ts";
import { openAmqpLink, type AmqpLink } from "../infra/amqp/amqp-link.ts";
import { createAmqpResultPublisher, type AmqpResultPublisher } from "../infra/amqp/amqp-result-publisher.ts";
import { createAmqpRetryScheduler } from "../infra/amqp/amqp-retry-scheduler.ts";
import type { Logger } from "../infra/logger.ts";
import type { ResultPublisher } from "../ports/result-publisher.port.ts";
import { createAmqpIntake, type AmqpIntake } from "../intake/amqp-intake.ts";
import { DEFAULT_CALLBACK_QUEUE, isServiceCallbackQueue } from "../contracts/task-message.ts";

/** The AMQP half of the composition root: one link, the retry scheduler and result publisher over
 * it, and the intake (created once the host exists, since the host needs the scheduler). */
export interface AmqpMode {
  link: AmqpLink;
  retry: RetryScheduler;
  results: AmqpResultPublisher;
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
    createIntake: (host) => createAmqpIntake({ link, host, results: salvaging(results), retry, retryDelaysSeconds: o.retryDelaysSeconds, logger: o.logger, prefetch: o.prefetch }),
  };
}

/** The intake's publisher: the failed result of a message refused at intake goes to the callback
 * queue it named only when that queue is in the service's namespace, else to the default queue —
 * a refused message must still end in a result, and never in a publish that fails forever. */
function salvaging(results: ResultPublisher): ResultPublisher {
  return { publish: (queue, message, messageId) => results.publish(isServiceCallbackQueue(queue) ? queue : DEFAULT_CALLBACK_QUEUE, message, messageId) };
}
