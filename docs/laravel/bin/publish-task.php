<?php
// php bin/publish-task.php < task.json — what the ProcessFile job does, without Laravel.
declare(strict_types=1);
require __DIR__ . '/../src/autoload.php';

use VisionS3d\AmqpSettings;
use VisionS3d\TaskPublisher;

$task = json_decode((string) stream_get_contents(STDIN), true, 512, JSON_THROW_ON_ERROR);
$connection = AmqpSettings::fromEnv(getenv())->connect();
$publisher = new TaskPublisher($connection);
$publisher->publish($task);
$publisher->close();
$connection->close();
echo json_encode(['published' => $task['task_id']]), "\n";
