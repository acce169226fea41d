<?php
// php bin/last-progress.php <task_id> — the catch-up read of a (re)connecting page; also shows the
// Redis-prefix trap: the same GET through a Laravel-style prefixed connection misses.
declare(strict_types=1);
require __DIR__ . '/../src/autoload.php';

use VisionS3d\ProgressListener;

$taskId = strtolower((string) ($argv[1] ?? ''));
$listener = new ProgressListener((string) (getenv('VS3D_REDIS_HOST') ?: '127.0.0.1'), (int) (getenv('VS3D_REDIS_PORT') ?: 6379));
$prefixed = $listener->connect();
$prefixed->setOption(Redis::OPT_PREFIX, 'laravel_database_');
echo json_encode([
    'last_progress' => $listener->lastProgress($taskId),
    'with_laravel_prefix' => $prefixed->get("task:{$taskId}:last_progress"),
]), "\n";
