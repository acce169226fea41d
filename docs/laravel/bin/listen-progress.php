<?php
// php bin/listen-progress.php [--task=<id>] — what `php artisan processing:listen-progress` runs,
// without Laravel: each rebroadcast is printed as a JSON line {channel, message}.
declare(strict_types=1);
require __DIR__ . '/../src/autoload.php';

use VisionS3d\ProgressListener;

$options = getopt('', ['task:']);
$task = isset($options['task']) ? strtolower((string) $options['task']) : null;
$listener = new ProgressListener((string) (getenv('VS3D_REDIS_HOST') ?: '127.0.0.1'), (int) (getenv('VS3D_REDIS_PORT') ?: 6379));
fwrite(STDERR, "subscribed\n");
$listener->listen(
    function (string $channel, array $message): void {
        echo json_encode(['channel' => $channel, 'message' => $message], JSON_UNESCAPED_SLASHES), "\n";
    },
    $task === null ? null : fn (array $m) => $m['task_id'] === $task && in_array($m['status'], ['completed', 'failed', 'cancelled'], true),
);
