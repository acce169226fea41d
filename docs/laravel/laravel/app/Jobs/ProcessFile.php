<?php
declare(strict_types=1);

namespace App\Jobs;

use App\Models\File;
use Illuminate\Bus\Queueable;
use Illuminate\Contracts\Queue\ShouldQueue;
use Illuminate\Foundation\Bus\Dispatchable;
use Illuminate\Support\Str;
use VisionS3d\AmqpSettings;
use VisionS3d\TaskMessage;
use VisionS3d\TaskPublisher;

/**
 * Hands a file to the converter. This job runs on Laravel's own queue, but what it publishes to
 * RabbitMQ is the bare task message — never Laravel's job envelope (`{"uuid","job","data":…}`),
 * which the converter would dead-letter as INVALID_MESSAGE.
 */
final class ProcessFile implements ShouldQueue
{
    use Dispatchable;
    use Queueable;

    /** @param array<string, mixed> $params see schemas/params/<task_type>.json */
    public function __construct(public readonly string $fileId, public readonly string $taskType, public readonly array $params = [], public readonly int $priority = 5)
    {
    }

    public function handle(): void
    {
        $file = File::findOrFail($this->fileId);
        $taskId = (string) Str::uuid();
        $task = TaskMessage::build(
            taskId: $taskId,
            tenantId: $file->tenant_id,
            fileId: $file->id,
            taskType: $this->taskType,
            source: ['bucket' => config('vision-s3d.bucket'), 'key' => $file->storage_key, 'size_bytes' => $file->size_bytes],
            destination: ['bucket' => config('vision-s3d.bucket'), 'base_key' => "tenants/{$file->tenant_id}/processed/{$file->id}/"],
            params: $this->params,
            priority: $this->priority,
            callbackQueue: config('vision-s3d.results_queue'),
        );
        $c = config('vision-s3d.amqp');
        $connection = (new AmqpSettings($c['host'], $c['port'], $c['user'], $c['password'], $c['vhost']))->connect();
        try {
            (new TaskPublisher($connection))->publish($task); // throws unless the broker confirmed it
        } finally {
            $connection->close();
        }
        $file->update(['processing_task_id' => $taskId, 'processing_status' => 'queued']);
    }
}
