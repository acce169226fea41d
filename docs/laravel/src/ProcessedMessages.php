<?php
declare(strict_types=1);

namespace VisionS3d;

use PDO;

/**
 * Remembers which result messages were handled, in the application's own database and in the same
 * transaction as the handler's writes: RabbitMQ delivers at least once, so a result can arrive twice
 * (a redelivery after a lost ack, a projection replay); its `message_id` is the id of the event it
 * projects, so the second copy is recognised and dropped.
 */
final class ProcessedMessages
{
    public function __construct(private readonly PDO $db, private readonly string $table = 'vs3d_processed_messages')
    {
        $db->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
    }

    public function createTable(): void
    {
        $this->db->exec("CREATE TABLE IF NOT EXISTS {$this->table} (message_id varchar(64) PRIMARY KEY, task_id varchar(64) NOT NULL, processed_at timestamptz NOT NULL DEFAULT now())");
    }

    /**
     * Runs $handle inside a transaction unless $messageId was handled before. Returns false for a
     * duplicate. A throwing handler rolls back (the message id too), so the redelivery runs it again.
     */
    public function once(string $messageId, string $taskId, callable $handle): bool
    {
        $this->db->beginTransaction();
        try {
            $insert = $this->db->prepare("INSERT INTO {$this->table} (message_id, task_id) VALUES (?, ?) ON CONFLICT (message_id) DO NOTHING");
            $insert->execute([$messageId, $taskId]);
            if ($insert->rowCount() === 0) {
                $this->db->rollBack();
                return false;
            }
            $handle($this->db);
            $this->db->commit();
            return true;
        } catch (\Throwable $e) {
            $this->db->rollBack();
            throw $e;
        }
    }
}
