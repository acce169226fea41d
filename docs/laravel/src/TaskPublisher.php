<?php
declare(strict_types=1);

namespace VisionS3d;

use PhpAmqpLib\Channel\AMQPChannel;
use PhpAmqpLib\Connection\AbstractConnection;
use PhpAmqpLib\Message\AMQPMessage;
use RuntimeException;

/**
 * Publishes a task message exactly as the converter's contract says (DESIGN.md §2–3):
 * the bare task JSON (never Laravel's queue-job envelope), to exchange `vision.s3d.tasks` with the
 * task type as routing key, persistent, with the task's priority as message priority, and waits for
 * the broker's publisher confirm — so a task is either in RabbitMQ or this call threw.
 */
final class TaskPublisher
{
    public const EXCHANGE = 'vision.s3d.tasks';

    private AMQPChannel $channel;
    private ?string $nacked = null;

    public function __construct(private readonly AbstractConnection $connection, private readonly float $confirmTimeoutSeconds = 10.0)
    {
        $this->channel = $connection->channel();
        $this->channel->confirm_select();
        $this->channel->set_nack_handler(function (AMQPMessage $m): void {
            $this->nacked = (string) $m->get('message_id');
        });
        // An unroutable message comes back instead of vanishing (the service also has an
        // alternate exchange, so this fires only if the topology is missing).
        $this->channel->set_return_listener(function (int $code, string $text): void {
            $this->nacked = "returned: {$code} {$text}";
        });
    }

    /** @param array<string, mixed> $task the task message (see TaskMessage::build) */
    public function publish(array $task): void
    {
        foreach (['task_id', 'task_type', 'tenant_id', 'file_id', 'source', 'destination'] as $field) {
            if (!isset($task[$field])) {
                throw new \InvalidArgumentException("task message lacks '{$field}'");
            }
        }
        $message = new AMQPMessage(json_encode($task, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES), [
            'content_type' => 'application/json',
            'delivery_mode' => AMQPMessage::DELIVERY_MODE_PERSISTENT,
            'priority' => max(0, min(10, (int) ($task['priority'] ?? 5))),
            'message_id' => (string) $task['task_id'],
            'timestamp' => time(),
        ]);
        $this->nacked = null;
        $this->channel->basic_publish($message, self::EXCHANGE, (string) $task['task_type'], mandatory: true);
        $this->channel->wait_for_pending_acks_returns($this->confirmTimeoutSeconds);
        if ($this->nacked !== null) {
            throw new RuntimeException("RabbitMQ did not take task {$task['task_id']}: {$this->nacked}");
        }
    }

    public function close(): void
    {
        $this->channel->close();
    }
}
