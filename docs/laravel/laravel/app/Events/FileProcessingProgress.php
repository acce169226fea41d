<?php
declare(strict_types=1);

namespace App\Events;

use Illuminate\Broadcasting\PrivateChannel;
use Illuminate\Contracts\Broadcasting\ShouldBroadcastNow;
use VisionS3d\ProgressListener;

/** Pushed by Reverb at once (ShouldBroadcastNow: no queue hop between Redis and the browser). */
final class FileProcessingProgress implements ShouldBroadcastNow
{
    /** @param array<string, mixed> $progress the converter's progress message, unchanged */
    public function __construct(public readonly string $tenantId, public readonly array $progress)
    {
    }

    public function broadcastOn(): PrivateChannel
    {
        return new PrivateChannel(ProgressListener::tenantChannel($this->tenantId));
    }

    public function broadcastAs(): string
    {
        return 'file.processing.progress';
    }

    /** @return array<string, mixed> */
    public function broadcastWith(): array
    {
        return $this->progress;
    }
}
