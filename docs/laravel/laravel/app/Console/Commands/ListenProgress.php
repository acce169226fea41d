<?php
declare(strict_types=1);

namespace App\Console\Commands;

use App\Events\FileProcessingProgress;
use Illuminate\Console\Command;
use VisionS3d\ProgressListener;

/** `php artisan processing:listen-progress` — Redis progress → Reverb, for the users' progress bars. */
final class ListenProgress extends Command
{
    protected $signature = 'processing:listen-progress';
    protected $description = 'Rebroadcast the converter progress messages to Reverb on tenant.{tenantId}.files';

    public function handle(): int
    {
        $redis = config('database.redis.' . config('vision-s3d.redis_connection'));
        (new ProgressListener((string) $redis['host'], (int) $redis['port']))->listen(
            static function (string $channel, array $message): void {
                broadcast(new FileProcessingProgress($message['tenant_id'], $message));
            },
        );
        return self::SUCCESS;
    }
}
