<?php
declare(strict_types=1);

namespace VisionS3d;

use PhpAmqpLib\Connection\AbstractConnection;
use PhpAmqpLib\Exception\AMQPTimeoutException;
use PhpAmqpLib\Message\AMQPMessage;

/**
 * `processing:listen-results`: consumes the callback queue, drops duplicates by `message_id`, and
 * acks only after the database write has committed — a crash between the two redelivers the result,
 * and ProcessedMessages makes that second copy a no-op.
 */
final class ResultConsumer
{
    /** @var array{handled: int, duplicates: int, rejected: int} */
    public array $counts = ['handled' => 0, 'duplicates' => 0, 'rejected' => 0];

    /** @param callable(array<string, mixed>, \PDO): void $onResult writes the outcome (e.g. the file's status and outputs) */
    public function __construct(
        private readonly AbstractConnection $connection,
        private readonly ProcessedMessages $processed,
        private readonly mixed $onResult,
        private readonly string $queue = 'vision-s3d.results',
    ) {
    }

    /**
     * Consumes until $stop returns true after a message, or until no message came for $idleSeconds
     * (0: forever, as the artisan command runs).
     * @param null|callable(array<string, mixed>): bool $stop
     */
    public function run(?callable $stop = null, float $idleSeconds = 0): void
    {
        $channel = $this->connection->channel();
        // The service declares the queue on first publish; declaring it here too (same arguments:
        // durable, nothing else) lets the listener start first.
        $channel->queue_declare($this->queue, false, true, false, false);
        $channel->basic_qos(0, 10, false);
        $done = false;
        $channel->basic_consume($this->queue, '', false, false, false, false, function (AMQPMessage $m) use (&$done, $stop): void {
            $result = json_decode($m->getBody(), true);
            $messageId = $m->has('message_id') ? (string) $m->get('message_id') : '';
            if (!is_array($result) || !isset($result['task_id'], $result['status']) || $messageId === '') {
                // not a result of this contract: keep it out of the loop, do not requeue forever
                $this->counts['rejected']++;
                $m->nack(false);
                return;
            }
            $fresh = $this->processed->once($messageId, (string) $result['task_id'], fn (\PDO $db) => ($this->onResult)($result, $db));
            $this->counts[$fresh ? 'handled' : 'duplicates']++;
            $m->ack();
            if ($stop !== null && $stop($result)) {
                $done = true;
            }
        });
        try {
            while (!$done && $channel->is_consuming()) {
                $channel->wait(null, false, $idleSeconds > 0 ? $idleSeconds : 0);
            }
        } catch (AMQPTimeoutException) {
            // idle: nothing more to read
        } finally {
            $channel->close();
        }
    }
}
