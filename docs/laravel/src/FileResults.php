<?php
declare(strict_types=1);

namespace VisionS3d;

use PDO;

/**
 * The application's side of a result: the file's processing status, error and outputs. In Laravel
 * this is an Eloquent update on the `files` table (see laravel/app/Console/Commands/ListenResults.php).
 */
final class FileResults
{
    public static function createTable(PDO $db): void
    {
        $db->exec('CREATE TABLE IF NOT EXISTS files (id varchar(64) PRIMARY KEY, processing_status varchar(16) NOT NULL, error_code varchar(64), outputs jsonb, results_received int NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now())');
    }

    /** @param array<string, mixed> $result a result message (schemas/result-message.json) */
    public static function record(array $result, PDO $db): void
    {
        $failed = $result['status'] === 'failed';
        $willRetry = $failed && (bool) ($result['retry']['will_retry'] ?? false);
        // a failure that will be retried is not the end: the file stays "processing"
        $status = $failed ? ($willRetry ? 'processing' : 'failed') : 'completed';
        $statement = $db->prepare(
            'INSERT INTO files (id, processing_status, error_code, outputs, results_received) VALUES (?, ?, ?, ?, 1)
             ON CONFLICT (id) DO UPDATE SET processing_status = EXCLUDED.processing_status, error_code = EXCLUDED.error_code,
               outputs = EXCLUDED.outputs, results_received = files.results_received + 1, updated_at = now()'
        );
        $statement->execute([
            (string) $result['file_id'],
            $status,
            $failed ? (string) ($result['error']['code'] ?? 'INTERNAL') : null,
            json_encode($result['outputs'] ?? $result['partial_outputs'] ?? [], JSON_THROW_ON_ERROR),
        ]);
    }
}
