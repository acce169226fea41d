<?php
declare(strict_types=1);

namespace App\Console\Commands;

use App\Models\File;
use Illuminate\Console\Command;
use Illuminate\Support\Facades\DB;
use VisionS3d\AmqpSettings;
use VisionS3d\ProcessedMessages;
use VisionS3d\ResultConsumer;

/** `php artisan processing:listen-results` — run it under Supervisor, one or more processes. */
final class ListenResults extends Command
{
    protected $signature = 'processing:listen-results';
    protected $description = 'Consume the converter results: once per message_id, acked after the database write';

    public function handle(): int
    {
        $c = config('vision-s3d.amqp');
        $connection = (new AmqpSettings($c['host'], $c['port'], $c['user'], $c['password'], $c['vhost']))->connect();
        $consumer = new ResultConsumer(
            $connection,
            new ProcessedMessages(DB::connection()->getPdo()),
            static function (array $result): void {
                // Inside the ProcessedMessages transaction: this write and the message id commit together.
                $failed = $result['status'] === 'failed';
                $final = !$failed || !($result['retry']['will_retry'] ?? false);
                File::where('id', $result['file_id'])->update([
                    'processing_status' => $failed ? ($final ? 'failed' : 'processing') : 'completed',
                    'processing_error' => $failed ? $result['error'] : null,
                    'processing_outputs' => $result['outputs'] ?? $result['partial_outputs'] ?? [],
                ]);
            },
            config('vision-s3d.results_queue'),
        );
        $consumer->run();
        return self::SUCCESS;
    }
}
