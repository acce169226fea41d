<?php
// php bin/listen-results.php [--until-task=<id>] [--idle=<seconds>]
// What `php artisan processing:listen-results` runs, without Laravel: results go into `files`.
declare(strict_types=1);
require __DIR__ . '/../src/autoload.php';

use VisionS3d\AmqpSettings;
use VisionS3d\FileResults;
use VisionS3d\ProcessedMessages;
use VisionS3d\ResultConsumer;

$options = getopt('', ['until-task:', 'idle:']);
$db = new PDO((string) getenv('VS3D_DB_DSN'));
$processed = new ProcessedMessages($db);
$processed->createTable();
FileResults::createTable($db);

$until = isset($options['until-task']) ? strtolower((string) $options['until-task']) : null;
$connection = AmqpSettings::fromEnv(getenv())->connect();
$consumer = new ResultConsumer($connection, $processed, [FileResults::class, 'record'], (string) (getenv('VS3D_RESULTS_QUEUE') ?: 'vision-s3d.results'));
$consumer->run(
    $until === null ? null : fn (array $r) => $r['task_id'] === $until && $r['status'] === 'completed',
    (float) ($options['idle'] ?? 0),
);
$connection->close();
echo json_encode($consumer->counts), "\n";
