<?php
declare(strict_types=1);

namespace VisionS3d;

/** Builds the task message of the wire contract (DESIGN.md §2; JSON Schema in schemas/). */
final class TaskMessage
{
    /**
     * @param array<string, mixed> $params per task type (schemas/params/<task_type>.json)
     * @return array<string, mixed>
     */
    public static function build(
        string $taskId,
        string $tenantId,
        string $fileId,
        string $taskType,
        array $source,
        array $destination,
        array $params = [],
        int $priority = 5,
        string $callbackQueue = 'vision-s3d.results',
        int $maxAttempts = 3,
    ): array {
        return [
            'task_id' => strtolower($taskId),
            'tenant_id' => $tenantId,
            'file_id' => $fileId,
            'task_type' => $taskType,
            'priority' => $priority,
            'submitted_at' => gmdate('Y-m-d\TH:i:s\Z'),
            'source' => $source,
            // base_key must end in '/': outputs are written below it
            'destination' => $destination,
            // an empty params list must still be a JSON object, not []
            'params' => (object) $params,
            'webhook' => ['callback_queue' => $callbackQueue, 'progress_channel' => "task:{$taskId}:progress"],
            'retry' => ['attempt' => 1, 'max_attempts' => $maxAttempts],
        ];
    }
}
